import Foundation
import OneCardDomain

/// A plain-text email, rendered at the moment it is queued and stored in the outbox as JSON.
public struct MailMessage: Codable, Sendable, Equatable {
    public var from: String
    public var to: String
    public var subject: String
    public var body: String
    public var messageID: String
    public var date: Date

    /// The bare address of `from` (`OneCard <a@b>` → `a@b`), for the SMTP envelope.
    var fromAddress: String { Self.address(in: from) }
    var toAddress: String { Self.address(in: to) }

    static func address(in field: String) -> String {
        if let open = field.lastIndex(of: "<"), let close = field.lastIndex(of: ">"), open < close {
            return String(field[field.index(after: open)..<close])
        }
        return field.trimmingCharacters(in: .whitespaces)
    }

    /// RFC 5322 with MIME: UTF-8 text in base64, headers as RFC 2047 encoded words, CRLF line ends.
    public func rfc5322() -> String {
        var lines = [
            "From: \(Self.encodeDisplayName(from))",
            "To: \(Self.encodeDisplayName(to))",
            "Subject: \(Self.encodedWord(subject))",
            "Date: \(Self.rfc5322Date(date))",
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8",
            "Content-Transfer-Encoding: base64",
            "",
        ]
        let encoded = Data(body.replacingOccurrences(of: "\r\n", with: "\n")
            .replacingOccurrences(of: "\n", with: "\r\n").utf8).base64EncodedString()
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(String(encoded[index..<end]))
            index = end
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func encodedWord(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { !$0.isASCII || $0.value < 0x20 }) else { return text }
        return "=?UTF-8?B?\(Data(text.utf8).base64EncodedString())?="
    }

    private static func encodeDisplayName(_ field: String) -> String {
        guard let open = field.lastIndex(of: "<") else { return field }
        let name = field[..<open].trimmingCharacters(in: .whitespaces)
        return name.isEmpty ? String(field[open...]) : "\(encodedWord(name)) \(field[open...])"
    }

    private static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = .taipei
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }
}
