extension Array where Element == UInt8 {
    func bigEndian16(at offset: Int) -> Int {
        Int(self[offset]) << 8 | Int(self[offset + 1])
    }

    func bigEndian32(at offset: Int) -> Int {
        Int(self[offset]) << 24 | Int(self[offset + 1]) << 16 | Int(self[offset + 2]) << 8 | Int(self[offset + 3])
    }

    func hasBytes(_ expected: [UInt8], at offset: Int) -> Bool {
        offset >= 0 && offset + expected.count <= count && self[offset..<offset + expected.count].elementsEqual(expected)
    }

    func hasASCII(_ expected: String, at offset: Int) -> Bool {
        hasBytes(Array(expected.utf8), at: offset)
    }
}

/// Appends a name to a list of removed metadata unless it is there already.
func noteRemoved(_ name: String, in list: inout [String]) {
    if !list.contains(name) { list.append(name) }
}

/// CRC-32 (ISO 3309, as PNG uses it).
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1
        }
        return value
    }

    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }
}

/// Reads the orientation tag (0x0112) from IFD0 of a TIFF-structured EXIF block; `nil` on anything unexpected,
/// since a damaged EXIF block is removed anyway and is no reason to refuse the picture.
func exifOrientation(tiff: ArraySlice<UInt8>) -> Int? {
    let bytes = Array(tiff)
    guard bytes.count >= 8 else { return nil }
    let littleEndian: Bool
    if bytes.hasASCII("II*\u{00}", at: 0) {
        littleEndian = true
    } else if bytes.hasASCII("MM\u{00}*", at: 0) {
        littleEndian = false
    } else {
        return nil
    }
    func read16(_ offset: Int) -> Int? {
        guard offset >= 0, offset + 2 <= bytes.count else { return nil }
        return littleEndian ? Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 : bytes.bigEndian16(at: offset)
    }
    func read32(_ offset: Int) -> Int? {
        guard let first = read16(offset), let second = read16(offset + 2) else { return nil }
        return littleEndian ? first | second << 16 : first << 16 | second
    }
    guard let ifd = read32(4), let entries = read16(ifd) else { return nil }
    for entry in 0..<entries {
        let offset = ifd + 2 + entry * 12
        guard let tag = read16(offset), let type = read16(offset + 2) else { return nil }
        if tag == 0x0112, type == 3, let value = read16(offset + 8), (1...8).contains(value) {
            return value
        }
    }
    return nil
}
