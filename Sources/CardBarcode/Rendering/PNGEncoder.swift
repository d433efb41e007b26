/// Writes 8-bit grayscale PNGs with stored (uncompressed) deflate blocks: the mobile card's barcodes, and
/// the application form's captcha, which draws its own pixels.
///
/// Stored blocks keep the encoder a few dozen lines with nothing to get wrong but the checksums; a card's
/// barcode is a few hundred kilobytes at most, and the HTTP layer may compress it anyway. No maintained
/// package here writes PNG without an image library, hence this one, the site's only PNG writer.
public enum PNGEncoder {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    private static let black: UInt8 = 0x00
    private static let white: UInt8 = 0xFF
    /// The largest payload of one stored deflate block.
    private static let storedBlockLimit = 65_535

    /// A grayscale picture given row by row, `width` × `height` shades from 0 (black) to 255 (white).
    public static func grayscale(width: Int, height: Int, pixels: [UInt8]) -> [UInt8] {
        precondition(pixels.count == width * height, "\(pixels.count) pixels for \(width)×\(height)")
        var data: [UInt8] = []
        data.reserveCapacity((width + 1) * height)
        for row in 0..<height {
            data.append(0)
            data.append(contentsOf: pixels[(row * width)..<((row + 1) * width)])
        }
        return png(width: width, height: height, scanlines: data)
    }

    static func encode(_ raster: ModuleRaster) -> [UInt8] {
        png(width: raster.pixelWidth, height: raster.pixelHeight, scanlines: scanlines(raster))
    }

    /// Signature, IHDR, one IDAT of the filtered rows, IEND.
    private static func png(width: Int, height: Int, scanlines: [UInt8]) -> [UInt8] {
        var header: [UInt8] = []
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        // Bit depth 8, color type 0 (grayscale), deflate, adaptive filtering, no interlace.
        header.append(contentsOf: [8, 0, 0, 0, 0])

        var png = signature
        appendChunk("IHDR", header, to: &png)
        appendChunk("IDAT", zlibStored(scanlines), to: &png)
        appendChunk("IEND", [], to: &png)
        return png
    }

    /// Each pixel row preceded by filter type 0 (none); the rows of one module row are identical.
    private static func scanlines(_ raster: ModuleRaster) -> [UInt8] {
        var data: [UInt8] = []
        data.reserveCapacity((raster.pixelWidth + 1) * raster.pixelHeight)
        for row in 0..<raster.rows {
            var line: [UInt8] = [0]
            line.reserveCapacity(raster.pixelWidth + 1)
            for column in 0..<raster.columns {
                let shade = raster.isDark(column: column, row: row) ? black : white
                line.append(contentsOf: repeatElement(shade, count: raster.cellWidth))
            }
            for _ in 0..<raster.cellHeight {
                data.append(contentsOf: line)
            }
        }
        return data
    }

    /// A zlib stream (RFC 1950) of stored deflate blocks (RFC 1951 §3.2.4) ending in the Adler-32 of `data`.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        // CMF 0x78 (deflate, 32 KiB window), FLG 0x01 so that CMF·256 + FLG is a multiple of 31.
        var stream: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let end = min(start + storedBlockLimit, data.count)
            let isFinal = end == data.count
            let length = UInt16(end - start)
            stream.append(isFinal ? 1 : 0)
            stream.appendLittleEndian(length)
            stream.appendLittleEndian(~length)
            stream.append(contentsOf: data[start..<end])
            start = end
        } while start < data.count
        stream.appendBigEndian(Checksums.adler32(data))
        return stream
    }

    private static func appendChunk(_ type: String, _ payload: [UInt8], to png: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        png.appendBigEndian(UInt32(payload.count))
        png.append(contentsOf: typeBytes)
        png.append(contentsOf: payload)
        png.appendBigEndian(Checksums.crc32(typeBytes + payload))
    }
}

/// The two checksums a PNG needs: CRC-32 over each chunk and Adler-32 over the zlib payload.
enum Checksums {
    /// CRC-32 as in ISO 3309 / ITU-T V.42 (reflected polynomial 0xEDB88320), the one PNG and zlib use.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        let modulus: UInt32 = 65_521
        var a: UInt32 = 1
        var b: UInt32 = 0
        // 5552 bytes is the most that can be summed before b could overflow 32 bits.
        var start = 0
        while start < bytes.count {
            let end = min(start + 5_552, bytes.count)
            for index in start..<end {
                a += UInt32(bytes[index])
                b += a
            }
            a %= modulus
            b %= modulus
            start = end
        }
        return b << 16 | a
    }

    private static let crcTable: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1
        }
        return value
    }
}

extension [UInt8] {
    mutating func appendBigEndian(_ value: UInt32) {
        append(contentsOf: [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)])
    }

    mutating func appendLittleEndian(_ value: UInt16) {
        append(contentsOf: [UInt8(value & 0xFF), UInt8(value >> 8)])
    }
}
