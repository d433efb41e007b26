/// The SIP2 error-detection checksum: the two's complement of the 16-bit sum of every byte of the
/// message up to and including the `AZ` field code, sent as four upper-case hex digits.
///
/// Received checksums are compared by value, so 1 to 4 hex digits in either case are accepted: the
/// PyPI `sip2` client formats its checksum with `'X'` and no zero padding (`AZF3A` for 0x0F3A). This
/// server always sends exactly four digits.
public enum SIP2Checksum {
    /// The checksum value of `bytes` (everything up to and including `AZ`).
    public static func value<Bytes: Sequence>(of bytes: Bytes) -> UInt16 where Bytes.Element == UInt8 {
        var sum: UInt16 = 0
        for byte in bytes { sum &+= UInt16(byte) }
        return 0 &- sum
    }

    /// The four upper-case hex digits sent after `AZ`.
    public static func text<Bytes: Sequence>(of bytes: Bytes) -> String where Bytes.Element == UInt8 {
        hex4(value(of: bytes))
    }

    /// Whether `checksumText` (1–4 hex digits) is the checksum of `bytes`.
    public static func verify<Bytes: Sequence>(_ checksumText: some StringProtocol, for bytes: Bytes) -> Bool
    where Bytes.Element == UInt8 {
        guard let received = parse(checksumText) else { return false }
        return received == value(of: bytes)
    }

    /// Reads 1–4 hex digits, either case.
    static func parse(_ text: some StringProtocol) -> UInt16? {
        guard (1...4).contains(text.utf8.count), text.utf8.allSatisfy(isHexDigit) else { return nil }
        return UInt16(text, radix: 16)
    }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }

    static func hex4(_ value: UInt16) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        return String(decoding: [12, 8, 4, 0].map { digits[Int((value >> $0) & 0xF)] }, as: UTF8.self)
    }
}
