/// Walks a JPEG's markers and rebuilds it without metadata.
///
/// Kept: the frame, tables and scans byte for byte, JFIF (APP0, without its thumbnail), the ICC profile
/// (APP2) that gives the colours their meaning, and Adobe's APP14, which says how CMYK/YCCK data is stored.
/// Dropped: EXIF (with its GPS position, camera serial and thumbnail), XMP, IPTC, comments, every other
/// APPn and JPGn segment — also those between the scans of a progressive JPEG — and anything after the
/// end-of-image marker (a motion photo's video, an appended archive).
///
/// EXIF orientation goes with EXIF; `InspectedUpload.exifOrientation` keeps its value for the viewer.
enum JPEGCleaner {
    static func clean(_ bytes: [UInt8], policy: UploadPolicy) throws(UploadRejection) -> InspectedUpload {
        var output: [UInt8] = [0xFF, 0xD8]
        output.reserveCapacity(bytes.count)
        var removed: [String] = []
        var orientation: Int?
        var frame: (width: Int, height: Int)?
        var scanStarted = false
        var position = 2

        while true {
            if scanStarted {
                // Entropy-coded data runs to the next 0xFF that is neither stuffing (FF 00), a restart
                // marker (FF D0–D7) nor fill (FF FF); it is copied unchanged.
                var index = position
                while true {
                    guard index + 1 < bytes.count else {
                        throw .malformed(offset: bytes.count, reason: "the file ends before the end-of-image marker")
                    }
                    if bytes[index] == 0xFF {
                        let next = bytes[index + 1]
                        if next != 0x00, !(0xD0...0xD7).contains(next), next != 0xFF { break }
                        index += next == 0xFF ? 1 : 2
                    } else {
                        index += 1
                    }
                }
                output.append(contentsOf: bytes[position..<index])
                position = index
            }

            let markerOffset = position
            guard position < bytes.count else {
                throw .malformed(offset: position, reason: "the file ends before the end-of-image marker")
            }
            guard bytes[position] == 0xFF else {
                throw .malformed(offset: position, reason: "expected a marker, found 0x\(hex(bytes[position]))")
            }
            while position < bytes.count, bytes[position] == 0xFF { position += 1 }
            guard position < bytes.count else {
                throw .malformed(offset: markerOffset, reason: "the file ends inside a marker")
            }
            let marker = bytes[position]
            position += 1

            switch marker {
            case 0xD9:
                guard scanStarted else {
                    throw .malformed(offset: markerOffset, reason: "the image ends before any scan")
                }
                output.append(contentsOf: [0xFF, 0xD9])
                if position < bytes.count { noteRemoved("trailing data", in: &removed) }
                guard let frame else { throw .malformed(offset: markerOffset, reason: "no frame header") }
                return InspectedUpload(
                    kind: .jpeg, bytes: output, pixelWidth: frame.width, pixelHeight: frame.height,
                    removedMetadata: removed, exifOrientation: orientation
                )
            case 0xD8:
                throw .malformed(offset: markerOffset, reason: "a second start-of-image marker")
            case 0x01, 0xD0...0xD7:
                output.append(contentsOf: [0xFF, marker])
                continue
            case 0x00...0xBF:
                throw .malformed(offset: markerOffset, reason: "an invalid or reserved marker 0xFF\(hex(marker))")
            default:
                break
            }

            guard position + 2 <= bytes.count else {
                throw .malformed(offset: markerOffset, reason: "the file ends inside a segment header")
            }
            let length = bytes.bigEndian16(at: position)
            guard length >= 2 else {
                throw .malformed(offset: markerOffset, reason: "a segment length of \(length)")
            }
            let end = position + length
            guard end <= bytes.count else {
                throw .malformed(offset: markerOffset, reason: "a segment runs past the end of the file")
            }
            let payload = Array(bytes[position + 2..<end])
            let segment = bytes[position..<end]
            position = end

            func keep() {
                output.append(contentsOf: [0xFF, marker])
                output.append(contentsOf: segment)
            }

            switch marker {
            case 0xC0...0xC3, 0xC5...0xC7, 0xC9...0xCB, 0xCD...0xCF:
                guard frame == nil else {
                    throw .malformed(offset: markerOffset, reason: "a second frame header")
                }
                guard payload.count >= 6, payload.count == 6 + 3 * Int(payload[5]), payload[5] > 0 else {
                    throw .malformed(offset: markerOffset, reason: "a frame header of the wrong length")
                }
                let height = payload.bigEndian16(at: 1)
                let width = payload.bigEndian16(at: 3)
                guard height > 0 else {
                    throw .malformed(offset: markerOffset, reason: "the height is left to a DNL marker, which is not supported")
                }
                guard width > 0 else {
                    throw .malformed(offset: markerOffset, reason: "a frame width of 0")
                }
                guard width * height <= policy.maximumPixels else {
                    throw .tooManyPixels(width: width, height: height, limit: policy.maximumPixels)
                }
                frame = (width, height)
                keep()
            case 0xDA:
                guard frame != nil else {
                    throw .malformed(offset: markerOffset, reason: "a scan before the frame header")
                }
                guard payload.count >= 1, payload.count == 4 + 2 * Int(payload[0]) else {
                    throw .malformed(offset: markerOffset, reason: "a scan header of the wrong length")
                }
                keep()
                scanStarted = true
            case 0xC4, 0xCC, 0xDB...0xDF:
                // DHT, DAC, DQT, DNL, DRI, DHP, EXP: needed to decode.
                keep()
            case 0xE0:
                if payload.hasASCII("JFIF\u{00}", at: 0), payload.count >= 14 {
                    if payload.count > 14 || payload[12] != 0 || payload[13] != 0 {
                        output.append(contentsOf: [0xFF, 0xE0, 0x00, 0x10])
                        output.append(contentsOf: payload[0..<12])
                        output.append(contentsOf: [0x00, 0x00])
                        noteRemoved("JFIF thumbnail", in: &removed)
                    } else {
                        keep()
                    }
                } else if payload.hasASCII("JFXX\u{00}", at: 0) {
                    noteRemoved("JFIF thumbnail", in: &removed)
                } else {
                    noteRemoved("APP0", in: &removed)
                }
            case 0xE1:
                if payload.hasASCII("Exif\u{00}", at: 0) {
                    noteRemoved("EXIF", in: &removed)
                    if orientation == nil, payload.count > 6 {
                        orientation = exifOrientation(tiff: payload[6...])
                    }
                } else if payload.hasASCII("http://ns.adobe.com/xap/1.0/\u{00}", at: 0)
                    || payload.hasASCII("http://ns.adobe.com/xmp/extension/\u{00}", at: 0)
                {
                    noteRemoved("XMP", in: &removed)
                } else {
                    noteRemoved("APP1", in: &removed)
                }
            case 0xE2:
                if payload.hasASCII("ICC_PROFILE\u{00}", at: 0) {
                    keep()
                } else if payload.hasASCII("MPF\u{00}", at: 0) {
                    noteRemoved("MPF", in: &removed)
                } else if payload.hasASCII("FPXR\u{00}", at: 0) {
                    noteRemoved("FlashPix", in: &removed)
                } else {
                    noteRemoved("APP2", in: &removed)
                }
            case 0xED:
                noteRemoved(payload.hasASCII("Photoshop 3.0\u{00}", at: 0) ? "IPTC" : "APP13", in: &removed)
            case 0xEE:
                if payload.hasASCII("Adobe", at: 0) {
                    keep()
                } else {
                    noteRemoved("APP14", in: &removed)
                }
            case 0xE3...0xEF:
                noteRemoved("APP\(marker - 0xE0)", in: &removed)
            case 0xFE:
                noteRemoved("COM", in: &removed)
            case 0xF0...0xFD:
                // JPG0–JPG13: extensions no baseline or progressive decoder reads.
                noteRemoved("JPG\(marker - 0xF0)", in: &removed)
            default:
                // 0xC8, reserved for JPEG extensions: decoders stop at it.
                throw .malformed(offset: markerOffset, reason: "a reserved marker 0xFF\(hex(marker))")
            }
        }
    }
}

func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
}
