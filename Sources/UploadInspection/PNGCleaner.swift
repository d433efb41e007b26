/// Walks a PNG's chunks, verifying each CRC, and rebuilds it from the chunks a picture needs.
///
/// The size limit is applied from IHDR alone, before any image data is read, so a 20000 × 20000 PNG is
/// refused without inflating anything. Ancillary chunks are kept only when they describe how to show the
/// pixels (transparency, colour space, gamma, ICC profile, physical size…); text, EXIF, timestamps, APNG
/// animation and unknown private chunks are dropped, as is anything after IEND.
enum PNGCleaner {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Ancillary chunks about how to display the pixels, none of which carries free text or personal data
    /// (iCCP has a profile name, as a JPEG's ICC profile has a description).
    private static let keptAncillary: Set<String> = [
        "tRNS", "gAMA", "cHRM", "sRGB", "iCCP", "sBIT", "bKGD", "pHYs", "hIST", "sPLT", "cICP", "mDCV", "cLLI",
    ]

    static func clean(_ bytes: [UInt8], policy: UploadPolicy) throws(UploadRejection) -> InspectedUpload {
        var output = signature
        output.reserveCapacity(bytes.count)
        var removed: [String] = []
        var orientation: Int?
        var size: (width: Int, height: Int)?
        var colourType = 0
        var sawPalette = false
        var sawImageData = false
        var position = signature.count

        while true {
            let chunkOffset = position
            guard position + 8 <= bytes.count else {
                throw .malformed(offset: position, reason: "the file ends before the IEND chunk")
            }
            let length = bytes.bigEndian32(at: position)
            let typeBytes = bytes[position + 4..<position + 8]
            guard typeBytes.allSatisfy({ (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else {
                throw .malformed(offset: chunkOffset, reason: "a chunk type that is not four letters")
            }
            let type = String(decoding: typeBytes, as: UTF8.self)
            guard length <= Int(Int32.max) else {
                throw .malformed(offset: chunkOffset, reason: "a \(type) chunk length above 2^31 - 1")
            }
            let dataStart = position + 8
            let end = dataStart + length + 4
            guard end <= bytes.count else {
                throw .malformed(offset: chunkOffset, reason: "the \(type) chunk runs past the end of the file")
            }
            let stored = UInt32(bytes.bigEndian32(at: end - 4))
            guard CRC32.checksum(bytes[position + 4..<end - 4]) == stored else {
                throw .malformed(offset: chunkOffset, reason: "the \(type) chunk's CRC does not match")
            }
            let data = bytes[dataStart..<end - 4]
            position = end

            guard size != nil || type == "IHDR" else {
                throw .malformed(offset: chunkOffset, reason: "the first chunk is \(type), not IHDR")
            }
            func keep() { output.append(contentsOf: bytes[chunkOffset..<end]) }

            switch type {
            case "IHDR":
                guard size == nil else { throw .malformed(offset: chunkOffset, reason: "a second IHDR chunk") }
                let header = Array(data)
                guard header.count == 13 else {
                    throw .malformed(offset: chunkOffset, reason: "an IHDR chunk of \(header.count) bytes, not 13")
                }
                let width = header.bigEndian32(at: 0)
                let height = header.bigEndian32(at: 4)
                guard (1...Int(Int32.max)).contains(width), (1...Int(Int32.max)).contains(height) else {
                    throw .malformed(offset: chunkOffset, reason: "an image size of \(width) × \(height)")
                }
                guard width * height <= policy.maximumPixels else {
                    throw .tooManyPixels(width: width, height: height, limit: policy.maximumPixels)
                }
                let depth = header[8]
                colourType = Int(header[9])
                let allowedDepths: [UInt8] = switch colourType {
                case 0: [1, 2, 4, 8, 16]
                case 3: [1, 2, 4, 8]
                case 2, 4, 6: [8, 16]
                default: []
                }
                guard allowedDepths.contains(depth), header[10] == 0, header[11] == 0, header[12] <= 1 else {
                    throw .malformed(offset: chunkOffset, reason: "an invalid IHDR (bit depth, colour type or method)")
                }
                size = (width, height)
                keep()
            case "PLTE":
                guard !sawImageData, !sawPalette else {
                    throw .malformed(offset: chunkOffset, reason: "a PLTE chunk out of place")
                }
                sawPalette = true
                keep()
            case "IDAT":
                guard colourType != 3 || sawPalette else {
                    throw .malformed(offset: chunkOffset, reason: "a palette image without a PLTE chunk")
                }
                sawImageData = true
                keep()
            case "IEND":
                guard sawImageData else {
                    throw .malformed(offset: chunkOffset, reason: "the image ends before any IDAT chunk")
                }
                keep()
                if position < bytes.count { noteRemoved("trailing data", in: &removed) }
                guard let size else { throw .malformed(offset: chunkOffset, reason: "no IHDR chunk") }
                return InspectedUpload(
                    kind: .png, bytes: output, pixelWidth: size.width, pixelHeight: size.height,
                    removedMetadata: removed, exifOrientation: orientation
                )
            case "eXIf":
                noteRemoved("EXIF", in: &removed)
                if orientation == nil {
                    // Some writers keep JPEG's "Exif\0\0" prefix.
                    let tiff = data.starts(with: Array("Exif\u{00}\u{00}".utf8)) ? data.dropFirst(6) : data
                    orientation = exifOrientation(tiff: tiff)
                }
            case "iTXt" where data.starts(with: Array("XML:com.adobe.xmp\u{00}".utf8)):
                noteRemoved("XMP", in: &removed)
            case "acTL", "fcTL", "fdAT":
                noteRemoved("APNG animation", in: &removed)
            case _ where keptAncillary.contains(type):
                keep()
            default:
                // Bit 5 of the first letter: lowercase is ancillary, safe to drop; uppercase is critical.
                guard typeBytes[typeBytes.startIndex] & 0x20 != 0 else {
                    throw .malformed(offset: chunkOffset, reason: "an unknown critical chunk \(type)")
                }
                noteRemoved(type, in: &removed)
            }
        }
    }
}
