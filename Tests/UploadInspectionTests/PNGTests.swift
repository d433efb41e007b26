import Foundation
import Testing
@testable import UploadInspection

@Suite struct PNGTests {
    @Test func textExifAndTimeChunksAreStrippedAndPillowSeesTheSamePicture() async throws {
        let original = try await fixture("text.png")
        let before = try await pillowView(of: original)
        #expect(before.hasGPS && before.textKeys.count == 4, "the fixture really carries text and a GPS position")

        let cleaned = try UploadInspector.inspect(original)
        #expect(cleaned.kind == .png)
        #expect(cleaned.pixelWidth == 640 && cleaned.pixelHeight == 480)
        #expect(cleaned.removedMetadata == ["tEXt", "zTXt", "iTXt", "XMP", "tIME", "EXIF"])
        #expect(cleaned.exifOrientation == 3)
        #expect(cleaned.bytes.pngChunks.map(\.type) == ["IHDR", "iCCP", "gAMA", "pHYs", "IDAT", "IDAT", "IEND"])
        let authorLeft = cleaned.bytes.contains(ascii: "Wang Xiaoming")
        #expect(!authorLeft)

        let after = try await pillowView(of: cleaned.bytes)
        #expect(after.format == "PNG" && after.width == 640 && after.height == 480 && after.mode == "RGBA")
        #expect(after.textKeys.isEmpty && after.exifTags.isEmpty && !after.hasGPS)
        #expect(after.hasICCProfile && after.infoKeys.contains("dpi") && after.infoKeys.contains("gamma"))
        #expect(after.pixelDigest == before.pixelDigest)
    }

    @Test func palettePNGWithTransparencyIsKeptByteForByte() async throws {
        let original = try await fixture("palette.png")
        let cleaned = try UploadInspector.inspect(original)
        let unchanged = cleaned.bytes == original
        #expect(unchanged, "a PNG without metadata comes back as it was")
        #expect(cleaned.removedMetadata.isEmpty)
        #expect(original.pngChunks.map(\.type).contains("tRNS"))
    }

    @Test func twentyThousandSquarePNGIsRefusedFromItsHeader() async throws {
        let png = try await fixture("huge.png")
        let refused = rejection(png)
        #expect(refused == .tooManyPixels(width: 20000, height: 20000, limit: 40_000_000))
        #expect(refused?.description == "The image is 20000 × 20000 pixels; the limit is 40000000 pixels.")
        // Signature and IHDR alone are enough: nothing after them is read.
        #expect(rejection(Array(png[..<33])) == refused)
    }

    @Test func pixelLimitIsInclusive() async throws {
        let png = try await fixture("palette.png")
        #expect(rejection(png, policy: UploadPolicy(maximumPixels: 120 * 90)) == nil)
        #expect(rejection(png, policy: UploadPolicy(maximumPixels: 120 * 90 - 1))
            == .tooManyPixels(width: 120, height: 90, limit: 120 * 90 - 1))
    }

    @Test func truncatedPNGIsMalformedAtTheCutChunk() async throws {
        let png = try await fixture("text.png")
        let lastData = try #require(png.pngChunks.last { $0.type == "IDAT" })
        let cut = Array(png[..<(lastData.offset + 100)])
        #expect(rejection(cut) == .malformed(offset: lastData.offset, reason: "the IDAT chunk runs past the end of the file"))
    }

    @Test func badCRCIsMalformedAtItsChunk() async throws {
        var png = try await fixture("text.png")
        let data = try #require(png.pngChunks.first { $0.type == "IDAT" })
        png[data.offset + 500] ^= 0x01
        #expect(rejection(png) == .malformed(offset: data.offset, reason: "the IDAT chunk's CRC does not match"))
        // A flipped bit in a chunk that would be dropped is still damage.
        var text = try await fixture("text.png")
        let chunk = try #require(text.pngChunks.first { $0.type == "tEXt" })
        text[chunk.offset + 9] ^= 0x20
        #expect(rejection(text) == .malformed(offset: chunk.offset, reason: "the tEXt chunk's CRC does not match"))
    }

    @Test func missingIENDIsMalformed() async throws {
        let png = try await fixture("palette.png")
        let cut = Array(png.dropLast(12))
        #expect(rejection(cut) == .malformed(offset: cut.count, reason: "the file ends before the IEND chunk"))
    }

    @Test func dataAfterIENDIsDropped() async throws {
        let png = try await fixture("palette.png")
        let cleaned = try UploadInspector.inspect(png + Array("PK\u{03}\u{04}hidden archive".utf8))
        let unchanged = cleaned.bytes == png
        #expect(unchanged, "only the bytes after IEND are gone")
        #expect(cleaned.removedMetadata == ["trailing data"])
    }

    @Test func chunkBeforeIHDRAndUnknownCriticalChunksAreMalformed() async throws {
        let png = try await fixture("palette.png")
        let chunks = png.pngChunks
        let ihdrEnd = chunks[1].offset
        // Swap in a chunk type no decoder knows, with its CRC recomputed, so only the type is wrong.
        var critical = Array(png[..<ihdrEnd]) + [0, 0, 0, 1] + Array("CgBI".utf8) + [0]
        let crc = CRC32.checksum(critical[(ihdrEnd + 4)...])
        critical += [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
        critical += png[ihdrEnd...]
        #expect(rejection(critical) == .malformed(offset: ihdrEnd, reason: "an unknown critical chunk CgBI"))

        let noHeader = Array(png[..<8]) + Array(png[ihdrEnd...])
        #expect(rejection(noHeader)?.code == "malformed")
    }

    @Test func crcMatchesZlib() async {
        // The check value of CRC-32 for "123456789".
        #expect(CRC32.checksum(Array("123456789".utf8)[...]) == 0xCBF4_3926)
    }
}
