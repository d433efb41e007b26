import Foundation
import Testing
@testable import UploadInspection

@Suite struct JPEGTests {
    @Test func gpsExifIsStrippedAndPillowSeesTheSamePicture() async throws {
        let original = try await fixture("gps.jpg")
        let before = try await pillowView(of: original)
        #expect(before.hasGPS, "the fixture really carries a GPS position")
        #expect(before.infoKeys.contains("xmp") && before.infoKeys.contains("comment"))

        let cleaned = try UploadInspector.inspect(original)
        #expect(cleaned.kind == .jpeg)
        #expect(cleaned.pixelWidth == 640 && cleaned.pixelHeight == 480)
        #expect(cleaned.removedMetadata == ["EXIF", "XMP", "COM"])
        #expect(cleaned.exifOrientation == 6)
        for trace in ["Exif\u{00}", "ns.adobe.com", "PhoneMaker", "SN-0042", "counter 3"] {
            let left = cleaned.bytes.contains(ascii: trace)
            #expect(!left, "\(trace) is gone from the cleaned bytes")
        }
        #expect(cleaned.bytes.jpegMarkerOffsets(0xE1).isEmpty, "no APP1 segment is left")

        let after = try await pillowView(of: cleaned.bytes)
        #expect(after.format == "JPEG" && after.width == 640 && after.height == 480)
        #expect(after.exifTags.isEmpty && !after.hasGPS)
        #expect(!after.infoKeys.contains("exif") && !after.infoKeys.contains("xmp") && !after.infoKeys.contains("comment"))
        #expect(after.pixelDigest == before.pixelDigest, "the compressed picture is copied, not re-encoded")
    }

    @Test func cleanJPEGIsKeptByteForByte() async throws {
        let original = try await fixture("plain.jpg")
        let cleaned = try UploadInspector.inspect(original)
        let unchanged = cleaned.bytes == original
        #expect(unchanged, "a JPEG without metadata comes back as it was")
        #expect(cleaned.removedMetadata.isEmpty && cleaned.exifOrientation == nil)
    }

    @Test func progressiveJPEGKeepsItsICCProfileAndAllScans() async throws {
        let original = try await fixture("progressive.jpg")
        let cleaned = try UploadInspector.inspect(original)
        #expect(cleaned.removedMetadata == ["EXIF"])
        #expect(cleaned.exifOrientation == 1)
        var scans = 0
        for index in 0..<cleaned.bytes.count - 1 where cleaned.bytes[index] == 0xFF && cleaned.bytes[index + 1] == 0xDA {
            scans += 1
        }
        #expect(scans > 1, "a progressive JPEG has several scans, all kept")

        let before = try await pillowView(of: original)
        let after = try await pillowView(of: cleaned.bytes)
        #expect(after.hasICCProfile && after.exifTags.isEmpty)
        #expect(after.pixelDigest == before.pixelDigest)
    }

    @Test func cmykJPEGKeepsAdobeSegment() async throws {
        let original = try await fixture("cmyk.jpg")
        let cleaned = try UploadInspector.inspect(original)
        #expect(!cleaned.bytes.jpegMarkerOffsets(0xEE).isEmpty, "APP14 Adobe says how the CMYK data is stored")
        let before = try await pillowView(of: original)
        let after = try await pillowView(of: cleaned.bytes)
        #expect(after.mode == "CMYK" && after.pixelDigest == before.pixelDigest)
    }

    @Test func motionPhotoVideoAfterTheImageIsDropped() async throws {
        let original = try await fixture("motion.jpg")
        let cleaned = try UploadInspector.inspect(original)
        #expect(cleaned.removedMetadata.contains("trailing data"))
        #expect(cleaned.bytes.suffix(2) == [0xFF, 0xD9])
        let videoLeft = cleaned.bytes.contains(ascii: "ftypmp42")
        #expect(!videoLeft)
    }

    @Test func jfifThumbnailIsDropped() async throws {
        // A JFIF APP0 with a 2 × 1 RGB thumbnail, put in front of a Pillow JPEG's own APP0.
        let plain = try await fixture("plain.jpg")
        let app0: [UInt8] = [0xFF, 0xE0, 0x00, 0x16] + Array("JFIF\u{00}".utf8) + [1, 1, 0, 0, 1, 0, 1, 2, 1]
            + [1, 2, 3, 4, 5, 6]
        let withThumbnail = [0xFF, 0xD8] + app0 + plain[2...]
        let cleaned = try UploadInspector.inspect(withThumbnail)
        #expect(cleaned.removedMetadata == ["JFIF thumbnail"])
        #expect(Array(cleaned.bytes[2..<20]) == [0xFF, 0xE0, 0x00, 0x10] + Array("JFIF\u{00}".utf8) + [1, 1, 0, 0, 1, 0, 1, 0, 0])
        #expect(try await pillowView(of: cleaned.bytes).pixelDigest == pillowView(of: plain).pixelDigest)
    }

    @Test func hugeJPEGIsRefusedFromItsFrameHeader() async throws {
        var jpeg = try await fixture("plain.jpg")
        let frame = try #require(jpeg.jpegMarkerOffsets(0xC0).first)
        // Height and width follow the length and the sample precision.
        jpeg.replaceSubrange(frame + 5..<frame + 9, with: [0x4E, 0x20, 0x4E, 0x20])
        let refused = rejection(jpeg)
        #expect(refused == .tooManyPixels(width: 20000, height: 20000, limit: 40_000_000))
        #expect(refused?.code == "too_many_pixels")
        // Refused from the header: the scan data after it need not even be there.
        #expect(rejection(Array(jpeg[..<(frame + 30)])) == refused)
    }

    @Test func pixelLimitIsInclusive() async throws {
        let jpeg = try await fixture("plain.jpg")
        #expect(rejection(jpeg, policy: UploadPolicy(maximumPixels: 640 * 480)) == nil)
        #expect(rejection(jpeg, policy: UploadPolicy(maximumPixels: 640 * 480 - 1))
            == .tooManyPixels(width: 640, height: 480, limit: 640 * 480 - 1))
    }

    @Test func truncatedScanIsMalformedAtTheEnd() async throws {
        let jpeg = try await fixture("plain.jpg")
        let cut = Array(jpeg[..<(jpeg.count / 2)])
        #expect(rejection(cut) == .malformed(offset: cut.count, reason: "the file ends before the end-of-image marker"))
    }

    @Test func truncatedExifSegmentIsMalformedAtItsMarker() async throws {
        let jpeg = try await fixture("gps.jpg")
        let exif = try #require(jpeg.firstRange(of: Array("Exif\u{00}".utf8)))
        let marker = exif.lowerBound - 4
        #expect(jpeg.jpegMarkerOffsets(0xE1).first == marker)
        let refused = rejection(Array(jpeg[..<(marker + 100)]))
        #expect(refused == .malformed(offset: marker, reason: "a segment runs past the end of the file"))
        #expect(refused?.description == "The file is damaged or incomplete at byte \(marker): a segment runs past the end of the file.")
    }

    @Test func garbageInTheHeaderIsMalformedWithItsOffset() async throws {
        let jpeg = try await fixture("plain.jpg")
        #expect(rejection([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01]) == .malformed(offset: 2, reason: "a segment length of 1"))
        let garbage = Array(jpeg[..<20]) + Array("not a marker".utf8) + Array(jpeg[20...])
        #expect(rejection(garbage) == .malformed(offset: 20, reason: "expected a marker, found 0x6E"))
        #expect(rejection([0xFF, 0xD8, 0xFF, 0xD9]) == .malformed(offset: 2, reason: "the image ends before any scan"))
        #expect(rejection([0xFF, 0xD8, 0xFF, 0xC8, 0x00, 0x02]) == .malformed(offset: 2, reason: "a reserved marker 0xFFC8"))
        #expect(rejection([0xFF, 0xD8, 0xFF, 0xD8]) == .malformed(offset: 2, reason: "a second start-of-image marker"))
    }

    @Test func scanBeforeFrameIsMalformed() async throws {
        let jpeg = try await fixture("plain.jpg")
        let frame = try #require(jpeg.jpegMarkerOffsets(0xC0).first)
        let length = Int(jpeg[frame + 2]) << 8 | Int(jpeg[frame + 3])
        let withoutFrame = Array(jpeg[..<frame]) + Array(jpeg[(frame + 2 + length)...])
        let scan = try #require(withoutFrame.jpegMarkerOffsets(0xDA).first)
        #expect(rejection(withoutFrame) == .malformed(offset: scan, reason: "a scan before the frame header"))
    }
}
