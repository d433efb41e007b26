/// One variable-length field: a two-character code and its value (`AApatron-id|` on the wire).
public struct SIP2Field: Sendable, Hashable {
    public var code: String
    public var value: String

    public init(_ code: String, _ value: String) {
        self.code = code
        self.value = value
    }
}

/// A SIP2 message as it travels: a two-digit command, its fixed-length fields (kept as text), its
/// variable-length fields in order, and the sequence number of the error-detection trailer.
///
/// This is the lossless layer: fields this package does not know are kept in `fields`, and commands it
/// does not know keep their whole body in `fixedFields`. The typed requests and responses
/// (`SIP2LoginRequest`, `SIP2PatronStatusResponse`, …) convert to and from it.
public struct SIP2Message: Sendable, Hashable {
    public var command: String
    public var fixedFields: String
    public var fields: [SIP2Field]
    /// The `AY` sequence number (0–9) when the message carried error detection.
    public var sequenceNumber: Int?

    public init(command: String, fixedFields: String = "", fields: [SIP2Field] = [], sequenceNumber: Int? = nil) {
        self.command = command
        self.fixedFields = fixedFields
        self.fields = fields
        self.sequenceNumber = sequenceNumber
    }

    /// The value of the first field with `code`.
    public func value(_ code: String) -> String? {
        fields.first { $0.code == code }?.value
    }

    /// The values of every field with `code`, in order (AF screen messages repeat).
    public func values(_ code: String) -> [String] {
        fields.filter { $0.code == code }.map(\.value)
    }

    /// Whether a field with `code` is present.
    public func has(_ code: String) -> Bool {
        fields.contains { $0.code == code }
    }

    /// The message's text without trailer or terminator. Field values cannot carry the field
    /// separator or line ends, so `|`, CR and LF inside a value are sent as spaces.
    public var text: String {
        var text = command + fixedFields
        for field in fields {
            text += field.code
            text += Self.sanitized(field.value)
            text += "|"
        }
        return text
    }

    /// The bytes to send, ending with CR. With `errorDetection`, the `AY<sequence>AZ<checksum>` trailer
    /// is added (only `AZ<checksum>` for the 96 and 97 resend messages, which carry no sequence number).
    public func encoded(encoding: SIP2TextEncoding = .utf8, errorDetection: Bool = false) -> [UInt8] {
        var bytes = encoding.encode(text)
        if errorDetection {
            if command != SIP2Command.requestSCResend.rawValue && command != SIP2Command.requestACSResend.rawValue {
                bytes += Array("AY\(min(max(sequenceNumber ?? 0, 0), 9))".utf8)
            }
            bytes += Array("AZ".utf8)
            bytes += Array(SIP2Checksum.text(of: bytes).utf8)
        }
        bytes.append(0x0D)
        return bytes
    }

    private static func sanitized(_ value: String) -> String {
        guard value.unicodeScalars.contains(where: { $0 == "|" || $0 == "\r" || $0 == "\n" }) else { return value }
        return String(String.UnicodeScalarView(value.unicodeScalars.map { $0 == "|" || $0 == "\r" || $0 == "\n" ? " " : $0 }))
    }
}

/// A message read off the wire, with what its trailer said.
public struct SIP2ReceivedMessage: Sendable, Hashable {
    public var message: SIP2Message
    /// The checksum digits as received (1–4 hex digits), nil when the message had no `AZ` trailer.
    public var checksum: String?
    /// Whether `checksum` matches the bytes; nil when there was no checksum. Only false when the
    /// message was decoded with `verifyChecksum: false` (otherwise a mismatch throws).
    public var checksumMatches: Bool?
}

/// Why bytes could not be read as a SIP2 message.
public enum SIP2DecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Nothing but line ends.
    case empty
    /// The checksum does not match the bytes.
    case checksumMismatch
    /// The first two characters are not a two-digit command.
    case invalidCommand
    /// Fewer characters than the command's fixed-length fields need.
    case truncatedFixedFields(command: String)
    /// A typed message lacks a field it cannot do without.
    case missingField(command: String, code: String)
    /// A typed conversion was given a message with another command.
    case unexpectedCommand(expected: String, received: String)

    public var description: String {
        switch self {
        case .empty: return "empty message"
        case .checksumMismatch: return "checksum mismatch"
        case .invalidCommand: return "not a SIP2 command"
        case .truncatedFixedFields(let command): return "fixed fields of \(command) truncated"
        case .missingField(let command, let code): return "\(command) lacks the \(code) field"
        case .unexpectedCommand(let expected, let received): return "expected \(expected), received \(received)"
        }
    }
}

extension SIP2Message {
    /// Reads one message. `bytes` may still end with its CR, CRLF or LF.
    ///
    /// An `AZ` trailer of 1–4 hex digits is split off; with `verifyChecksum` it must match or
    /// `.checksumMismatch` is thrown. The match is on the byte sum, or — for the PyPI `sip2` client,
    /// which sums characters rather than bytes — on the sum of the decoded text's code points.
    /// Unknown commands and fields are kept, never rejected.
    public static func decode<Bytes: Collection>(
        _ bytes: Bytes, encoding: SIP2TextEncoding = .utf8, verifyChecksum: Bool = true
    ) throws(SIP2DecodingError) -> SIP2ReceivedMessage where Bytes.Element == UInt8 {
        var body = Array(bytes)
        while let last = body.last, last == 0x0D || last == 0x0A || last == 0x00 { body.removeLast() }
        // Some terminals pad between messages with NUL bytes.
        if let start = body.firstIndex(where: { $0 != 0x00 }), start > 0 { body.removeFirst(start) }
        guard !body.isEmpty else { throw .empty }

        var checksum: String?
        var matches: Bool?
        if let digitCount = trailerDigitCount(body) {
            let prefixEnd = body.count - digitCount
            let digits = String(decoding: body[prefixEnd...], as: UTF8.self)
            let valid = checksumMatches(digits, prefix: body[..<prefixEnd], encoding: encoding)
            if verifyChecksum && !valid { throw .checksumMismatch }
            checksum = digits
            matches = valid
            body.removeLast(digitCount + 2)
        }
        var sequenceNumber: Int?
        if checksum != nil, body.count >= 3, body[body.count - 3] == UInt8(ascii: "A"),
           body[body.count - 2] == UInt8(ascii: "Y"), (0x30...0x39).contains(body[body.count - 1]) {
            sequenceNumber = Int(body[body.count - 1] - 0x30)
            body.removeLast(3)
        }

        var message = try parse(text: encoding.decode(body))
        if message.sequenceNumber == nil { message.sequenceNumber = sequenceNumber }
        return SIP2ReceivedMessage(message: message, checksum: checksum, checksumMatches: matches)
    }

    /// Splits message text (no trailer, no terminator) into command, fixed and variable fields.
    static func parse(text: String) throws(SIP2DecodingError) -> SIP2Message {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count >= 2, (0x30...0x39).contains(scalars[0].value), (0x30...0x39).contains(scalars[1].value)
        else { throw .invalidCommand }
        let command = String(String.UnicodeScalarView(scalars[0..<2]))
        let rest = scalars[2...]

        guard let fixedLength = SIP2Command.fixedFieldsLength(ofCommand: command) else {
            return SIP2Message(command: command, fixedFields: String(String.UnicodeScalarView(rest)))
        }
        guard rest.count >= fixedLength else { throw .truncatedFixedFields(command: command) }
        let fixedEnd = rest.startIndex + fixedLength
        let fixed = String(String.UnicodeScalarView(rest[..<fixedEnd]))

        var fields: [SIP2Field] = []
        var sequenceNumber: Int?
        for piece in rest[fixedEnd...].split(separator: "|", omittingEmptySubsequences: true) {
            guard piece.count >= 2 else { continue }
            let code = String(String.UnicodeScalarView(piece.prefix(2)))
            let value = String(String.UnicodeScalarView(piece.dropFirst(2)))
            // A sequence number without a checksum (rare, but seen) is still a sequence number.
            if code == "AY", value.count == 1, let digit = Int(value) {
                sequenceNumber = digit
                continue
            }
            fields.append(SIP2Field(code, value))
        }
        return SIP2Message(command: command, fixedFields: fixed, fields: fields, sequenceNumber: sequenceNumber)
    }

    /// The number of checksum digits when `body` ends with `AZ` and 1–4 hex digits.
    private static func trailerDigitCount(_ body: [UInt8]) -> Int? {
        for digits in stride(from: 4, through: 1, by: -1) where body.count >= digits + 2 {
            let start = body.count - digits
            guard body[start...].allSatisfy(SIP2Checksum.isHexDigit) else { continue }
            if body[start - 2] == UInt8(ascii: "A") && body[start - 1] == UInt8(ascii: "Z") { return digits }
        }
        return nil
    }

    private static func checksumMatches(_ digits: String, prefix: ArraySlice<UInt8>, encoding: SIP2TextEncoding) -> Bool {
        guard let received = SIP2Checksum.parse(digits) else { return false }
        if received == SIP2Checksum.value(of: prefix) { return true }
        guard prefix.contains(where: { $0 >= 0x80 }) else { return false }
        var sum: UInt32 = 0
        for scalar in encoding.decode(prefix).unicodeScalars { sum &+= scalar.value }
        return received == 0 &- UInt16(truncatingIfNeeded: sum)
    }
}
