import Foundation
import OneCardDomain

/// An email, rendered at the moment it is queued and stored in the outbox as JSON: a plain-text body
/// and, for messages queued since issue #17, the same text as HTML (`MailHTML`), sent together as
/// `multipart/alternative` so every mail program shows one of them. Messages stored before then have no
/// `html` and are sent as plain text, as they were.
public struct MailMessage: Codable, Sendable, Equatable {
    public var from: String
    public var to: String
    public var subject: String
    public var body: String
    public var messageID: String
    public var date: Date
    /// The HTML alternative of `body`; nil sends plain text only.
    public var html: String? = nil
    /// Where replies go when it is not `from` (a library's desk, set with `onecard library set-mail`).
    public var replyTo: String? = nil

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
    /// With `html`, a `multipart/alternative` of the plain text first and the HTML second (the last
    /// part is the one preferred, RFC 2046 §5.1.4).
    public func rfc5322() -> String {
        var lines = [
            "From: \(Self.encodeDisplayName(from))",
            "To: \(Self.encodeDisplayName(to))",
        ]
        if let replyTo, !replyTo.isEmpty { lines.append("Reply-To: \(Self.encodeDisplayName(replyTo))") }
        lines += [
            "Subject: \(Self.encodedWord(subject))",
            "Date: \(Self.rfc5322Date(date))",
            "Message-ID: <\(messageID)>",
            "MIME-Version: 1.0",
        ]
        if let html, !html.isEmpty {
            // "=_" never occurs in base64, so the boundary cannot appear inside a part.
            let boundary = "=_onecard_" + messageID.filter { $0.isLetter || $0.isNumber }
            lines += ["Content-Type: multipart/alternative; boundary=\"\(boundary)\"", ""]
            lines += ["--\(boundary)"] + Self.part(body, type: "text/plain")
            lines += ["--\(boundary)"] + Self.part(html, type: "text/html")
            lines += ["--\(boundary)--"]
        } else {
            lines += Self.part(body, type: "text/plain")
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// One body: its headers, a blank line, and the UTF-8 text in base64 lines of 76 characters.
    private static func part(_ text: String, type: String) -> [String] {
        var lines = ["Content-Type: \(type); charset=UTF-8", "Content-Transfer-Encoding: base64", ""]
        let encoded = Data(text.replacingOccurrences(of: "\r\n", with: "\n")
            .replacingOccurrences(of: "\n", with: "\r\n").utf8).base64EncodedString()
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let end = encoded.index(index, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(String(encoded[index..<end]))
            index = end
        }
        return lines
    }

    static func encodedWord(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { !$0.isASCII || $0.value < 0x20 }) else { return text }
        return "=?UTF-8?B?\(Data(text.utf8).base64EncodedString())?="
    }

    private static func encodeDisplayName(_ field: String) -> String {
        guard let open = field.lastIndex(of: "<") else { return field }
        let name = field[..<open].trimmingCharacters(in: .whitespaces)
        if name.isEmpty { return String(field[open...]) }
        // An ASCII name with a special character ("Library, Taipei") must be a quoted string (RFC 5322 §3.4).
        let specials = Set("()<>[]:;@\\,.\"")
        if name.unicodeScalars.allSatisfy(\.isASCII), name.contains(where: { specials.contains($0) }) {
            let quoted = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return "\"\(quoted)\" \(field[open...])"
        }
        return "\(encodedWord(name)) \(field[open...])"
    }

    private static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = .taipei
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }
}
