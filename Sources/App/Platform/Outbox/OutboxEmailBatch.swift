import Foundation
import PersonalDataVault

/// One email for many recipients who differ only in a few values (the cards of a group batch): rendered
/// once by `Outbox.email` with a stand-in for each of those values, after which each recipient's stored
/// message is that JSON with their values put in, as plain text in the subject and plain body and
/// escaped in the HTML part: the message `Outbox.email` renders for them, with its own message id and
/// sealed secrets. Issue #13 item 6: rendering 50,000 emails one by one was most of an import's own work.
/// A value that would render differently (a web address becomes a link in the HTML part) or that holds a
/// stand-in's private-use characters is rendered by `Outbox.email` itself.
struct OutboxEmailBatch: Sendable {
    private let outbox: Outbox
    private let template: String
    private let locale: SiteLocale
    private let values: [String: String]
    private let sender: (Library, LibraryMailSettings)?
    private let secretNames: [String]
    private let placeholders: [String: String]
    /// The stored JSON around the fields that differ.
    private let payload: [Piece]
    private let subject: [Piece]
    private let body: [Piece]
    private let html: [Piece]

    private enum Piece: Sendable {
        case text(String)
        /// A varying value, or (in `payload`) a whole field: "@to", "@id", "@subject", "@body", "@html".
        case slot(String)
    }

    /// `values` are the same for every recipient; `varying` names those that are not; `secrets` names the
    /// one-time links each message seals (`Outbox.email`).
    init(outbox: Outbox, template: String, locale: SiteLocale, values: [String: String], varying: [String], secrets: [String],
         from sender: (Library, LibraryMailSettings)?) throws {
        self.outbox = outbox
        self.template = template
        self.locale = locale
        self.values = values
        self.sender = sender
        secretNames = secrets.sorted()
        placeholders = Dictionary(uniqueKeysWithValues: secrets.map { ($0, outbox.localizer.text("mail.secret_removed.\($0)", locale)) })
        var filled = values
        for name in varying { filled[name] = Self.standIn(name) }
        // Renders and checks the template once, secrets included (a template that does not show a secret is refused here).
        let rendered = try outbox.email(template: template, to: Self.standIn("@to"), locale: locale, values: filled,
                                        secrets: Dictionary(uniqueKeysWithValues: secrets.map { ($0, "-") }), from: sender)
        var message = try JSONDecoder().decode(MailMessage.self, from: Data(rendered.payload.utf8))
        subject = Self.pieces(message.subject)
        body = Self.pieces(message.body)
        html = Self.pieces(message.html ?? "")
        message.to = Self.standIn("@to")
        message.messageID = Self.standIn("@id")
        message.subject = Self.standIn("@subject")
        message.body = Self.standIn("@body")
        message.html = message.html.map { _ in Self.standIn("@html") }
        payload = Self.pieces(String(decoding: try JSONEncoder.sorted.encode(message), as: UTF8.self))
    }

    /// The message for one recipient, as `Outbox.email` renders it.
    func email(to recipient: String, values personal: [String: String], secrets: [String: String]) throws -> OutboxMessage {
        let special: (String) -> Bool = { value in
            value.hasPrefix("https://") || value.hasPrefix("http://") || value.unicodeScalars.contains { (0xE000...0xE003).contains($0.value) }
        }
        if special(recipient) || personal.values.contains(where: special) {
            return try outbox.email(template: template, to: recipient, locale: locale, values: values.merging(personal) { $1 },
                                    secrets: secrets, from: sender)
        }
        func fill(_ pieces: [Piece], escaped: Bool) -> String {
            var text = ""
            for piece in pieces {
                switch piece {
                case .text(let literal): text += literal
                case .slot(let name): text += escaped ? MailHTML.escape(personal[name] ?? "") : personal[name] ?? ""
                }
            }
            return text
        }
        let fields = ["@to": recipient, "@id": "\(UUID().uuidString.lowercased())@onecard", "@subject": fill(subject, escaped: false),
                      "@body": fill(body, escaped: false), "@html": fill(html, escaped: true)]
        var json = ""
        for piece in payload {
            switch piece {
            case .text(let literal): json += literal
            case .slot(let field): Self.appendJSONEscaped(fields[field] ?? "", to: &json)
            }
        }
        let row = OutboxMessage(kind: .email, partitionKey: nil, payload: json, now: outbox.now)
        row.secretsSealed = try OutboxSecrets.seal(secretNames.map { .init(placeholder: placeholders[$0]!, value: secrets[$0] ?? "") },
                                                   with: outbox.vault)
        return row
    }

    private static func standIn(_ name: String) -> String { "\u{E002}\(name)\u{E003}" }

    private static func pieces(_ text: String) -> [Piece] {
        var pieces: [Piece] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "\u{E002}"), let close = rest[open...].firstIndex(of: "\u{E003}") {
            pieces.append(.text(String(rest[..<open])))
            pieces.append(.slot(String(rest[rest.index(after: open)..<close])))
            rest = rest[rest.index(after: close)...]
        }
        pieces.append(.text(String(rest)))
        return pieces
    }

    /// The inside of a JSON string: quote, backslash and control characters escaped; JSONDecoder reads it
    /// back as the same text.
    private static func appendJSONEscaped(_ text: String, to json: inout String) {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
            json += text
            return
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 32)
        let hex = Array("0123456789abcdef".utf8)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\n"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0..<0x20: bytes += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            default: bytes.append(byte)
            }
        }
        json += String(decoding: bytes, as: UTF8.self)
    }
}
