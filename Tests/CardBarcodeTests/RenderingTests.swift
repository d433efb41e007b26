import Testing
@testable import CardBarcode

@Suite("PNG and SVG rendering")
struct RenderingTests {
    @Test("CRC-32 and Adler-32 match their published check values")
    func checksums() {
        // The CRC catalogue's check value for CRC-32/ISO-HDLC, and RFC 1950's own Adler-32 example word.
        #expect(Checksums.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(Checksums.crc32([]) == 0)
        #expect(Checksums.crc32(Array("IEND".utf8)) == 0xAE42_6082)
        #expect(Checksums.adler32(Array("Wikipedia".utf8)) == 0x11E6_0398)
        #expect(Checksums.adler32([]) == 1)
        // Long enough for the modulo to be taken between runs: 100,000 bytes of 0xFF.
        #expect(Checksums.adler32([UInt8](repeating: 0xFF, count: 100_000)) == referenceAdler32(count: 100_000, byte: 0xFF))
    }

    @Test("Stored zlib blocks: header, LEN/NLEN, the final bit only on the last block, Adler-32 at the end")
    func zlibFraming() {
        let data = (0..<70_000).map { UInt8(truncatingIfNeeded: $0) }
        let stream = PNGEncoder.zlibStored(data)
        #expect(Array(stream.prefix(2)) == [0x78, 0x01])
        #expect((0x78 * 256 + 0x01) % 31 == 0)
        // First block: not final, 65535 bytes.
        #expect(Array(stream[2..<7]) == [0x00, 0xFF, 0xFF, 0x00, 0x00])
        #expect(Array(stream[7..<(7 + 65_535)]) == Array(data[0..<65_535]))
        // Second block: final, 4465 bytes (0x1171).
        let second = 7 + 65_535
        #expect(Array(stream[second..<(second + 5)]) == [0x01, 0x71, 0x11, 0x8E, 0xEE])
        #expect(stream.count == 2 + 5 + 65_535 + 5 + 4_465 + 4)
        #expect(readUInt32(stream, at: stream.count - 4) == Checksums.adler32(data))
    }

    @Test("A PNG is signature, IHDR (8-bit grayscale), IDAT, IEND, each chunk with its CRC")
    func pngChunks() throws {
        let png = try QRCode(CardNumberSamples.typical).png(scale: 2)
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var offset = 8
        var types: [String] = []
        while offset < png.count {
            let length = Int(readUInt32(png, at: offset))
            let typeAndData = Array(png[(offset + 4)..<(offset + 8 + length)])
            types.append(String(decoding: typeAndData.prefix(4), as: UTF8.self))
            #expect(readUInt32(png, at: offset + 8 + length) == Checksums.crc32(typeAndData), "\(types.last!)")
            if types.last == "IHDR" {
                #expect(Array(typeAndData[12..<17]) == [8, 0, 0, 0, 0])
            }
            offset += 12 + length
        }
        #expect(types == ["IHDR", "IDAT", "IEND"])
        #expect(offset == png.count)
    }

    @Test("PNG pixels: one filter byte per row, white quiet zone, black finder corner")
    func pngPixels() throws {
        let code = try QRCode(CardNumberSamples.typical)
        let scale = 2
        let png = code.png(scale: scale)
        let side = (code.size + 8) * scale
        let pixels = storedPayload(ofIDATIn: png)
        #expect(pixels.count == (side + 1) * side)
        for row in 0..<side {
            #expect(pixels[row * (side + 1)] == 0)
        }
        func pixel(_ x: Int, _ y: Int) -> UInt8 { pixels[y * (side + 1) + 1 + x] }
        #expect(pixel(0, 0) == 0xFF)
        #expect(pixel(4 * scale - 1, 4 * scale - 1) == 0xFF)
        #expect(pixel(4 * scale, 4 * scale) == 0x00)
        #expect(pixel(4 * scale + 1, 4 * scale + 1) == 0x00)
        for y in 0..<code.size {
            for x in 0..<code.size {
                #expect(pixel((x + 4) * scale, (y + 4) * scale) == (code.isDark(x: x, y: y) ? 0x00 : 0xFF))
            }
        }
    }

    @Test("Grayscale pictures (the captcha's): the exact bytes of a 2×2 PNG, and a barcode's raster written the same way")
    func grayscale() {
        let png = PNGEncoder.grayscale(width: 2, height: 2, pixels: [0x00, 0x40, 0x80, 0xFF])
        let scanlines: [UInt8] = [0, 0x00, 0x40, 0, 0x80, 0xFF]
        let idat: [UInt8] = [0x78, 0x01, 0x01, 0x06, 0x00, 0xF9, 0xFF] + scanlines
            + bigEndian(Checksums.adler32(scanlines))
        let expected = PNGEncoder.signature
            + chunk("IHDR", [0, 0, 0, 2, 0, 0, 0, 2, 8, 0, 0, 0, 0]) + chunk("IDAT", idat) + chunk("IEND", [])
        #expect(png == expected)

        let raster = ModuleRaster(columns: 3, rows: 2, cellWidth: 2, cellHeight: 3,
                                  dark: [true, false, true, false, false, true])
        let pixels = (0..<raster.pixelHeight).flatMap { y in
            (0..<raster.pixelWidth).map { x in
                raster.isDark(column: x / raster.cellWidth, row: y / raster.cellHeight) ? UInt8(0x00) : 0xFF
            }
        }
        #expect(PNGEncoder.encode(raster) == PNGEncoder.grayscale(width: 6, height: 6, pixels: pixels))
    }

    private func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        bigEndian(UInt32(data.count)) + Array(type.utf8) + data + bigEndian(Checksums.crc32(Array(type.utf8) + data))
    }

    private func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    @Test("SVG: one path of dark runs, row by row, over a white background")
    func svgRuns() {
        let raster = ModuleRaster(columns: 4, rows: 2, cellWidth: 5, cellHeight: 5,
                                  dark: [true, true, false, true, false, false, false, false])
        let svg = SVGRenderer.render(raster)
        #expect(svg == #"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="20" height="10" viewBox="0 0 4 2" shape-rendering="crispEdges">"#
            + ##"<rect width="4" height="2" fill="#fff"/><path fill="#000" d="M0 0h2v1h-2zM3 0h1v1h-1z"/></svg>"##)
    }

    @Test("The defaults are big enough to scan from a phone: QR 8 px a module, Code 128 3 px and 120 px tall")
    func defaults() throws {
        let qr = try QRCode(CardNumberSamples.typical)
        #expect(readUInt32(qr.png(), at: 16) == UInt32((qr.size + 8) * 8))
        let bars = try Code128(CardNumberSamples.typical)
        #expect(readUInt32(bars.png(), at: 16) == UInt32(bars.modules.count * 3))
        #expect(readUInt32(bars.png(), at: 20) == 120)
    }

    /// Concatenates the stored blocks of the IDAT's zlib stream (the encoder writes nothing else).
    private func storedPayload(ofIDATIn png: [UInt8]) -> [UInt8] {
        let length = Int(readUInt32(png, at: 33))
        let stream = Array(png[(33 + 8)..<(33 + 8 + length)])
        var payload: [UInt8] = []
        var offset = 2
        while true {
            let final = stream[offset] & 1 == 1
            let blockLength = Int(stream[offset + 1]) | Int(stream[offset + 2]) << 8
            payload += stream[(offset + 5)..<(offset + 5 + blockLength)]
            offset += 5 + blockLength
            if final { break }
        }
        return payload
    }

    /// Adler-32 of `count` copies of one byte, summed with wide integers and no shortcuts.
    private func referenceAdler32(count: Int, byte: UInt8) -> UInt32 {
        var a = 1
        var b = 0
        for _ in 0..<count {
            a = (a + Int(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return UInt32(b << 16 | a)
    }
}
