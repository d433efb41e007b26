/// The 15-bit format information: error correction level and mask, protected by a BCH(15,5) code and
/// XOR-ed with 101010000010010 so it is never all light (ISO/IEC 18004 §7.9).
enum QRFormatInfo {
    static func bits(level: QRCode.ErrorCorrection, mask: Int) -> Int {
        let data = level.formatBits << 3 | mask
        return (data << 10 | bchRemainder(data, generator: 0x537, degree: 10)) ^ 0x5412
    }
}

/// The 18-bit version information of versions 7 and up: the version protected by a BCH(18,6) code (§7.10).
enum QRVersionInfo {
    static func bits(version: Int) -> Int {
        version << 12 | bchRemainder(version, generator: 0x1F25, degree: 12)
    }
}

/// The remainder of data·x^degree divided by `generator` over GF(2).
private func bchRemainder(_ data: Int, generator: Int, degree: Int) -> Int {
    var remainder = data << degree
    for bit in stride(from: remainder.bitWidth - remainder.leadingZeroBitCount - 1, through: degree, by: -1)
    where remainder >> bit & 1 == 1 {
        remainder ^= generator << (bit - degree)
    }
    return remainder
}
