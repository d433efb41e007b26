import Foundation
import PersonalDataVault

/// One email for many recipients who differ only in a few values (the cards of a group batch): rendered
/// once by `Outbox.email` with a stand-in for each of those values, after which each recipient's stored
/// message is that JSON with their values put in, as plain text in the subject and plain body and
/// escaped in the HTML part: the message `Outbox.email` renders for them, with its own message id and
/// sealed secrets. Issue #13 item 6: rendering 50,000 emails one by one was most of an import's own work;
/// the text around the values is also JSON-escaped once here (escaping a card's 4.5 KB byte by byte was
/// the next largest part), so a card's message is the batch's bytes copied with its few values escaped in.
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
    /// The stored JSON: the batch's text, already JSON-escaped, around the values that differ.
    private let payload: [Piece]
    /// The bytes of `payload`'s text, to reserve a message's room at once.
    private let textBytes: Int

    private enum Piece: Sendable {
        /// JSON-escaped text of the batch's message.
        case text([UInt8])
        /// A varying value ("@to", "@id" or one of `varying`), JSON-escaped, and HTML-escaped first in the HTML part.
        case value(String, html: Bool)
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
        let fields = ["@subject": (message.subject, false), "@body": (message.body, false), "@html": (message.html ?? "", true)]
        message.to = Self.standIn("@to")
        message.messageID = Self.standIn("@id")
        message.subject = Self.standIn("@subject")
        message.body = Self.standIn("@body")
        message.html = message.html.map { _ in Self.standIn("@html") }
        // The JSON with each whole field's stand-in replaced by that field's own text and stand-ins.
        var payload: [Piece] = []
        for piece in Self.pieces(String(decoding: try JSONEncoder.sorted.encode(message), as: UTF8.self)) {
            switch piece {
            case .text(let json):
                payload.append(.text(Array(json.utf8)))
            case .slot(let name):
                guard let (text, html) = fields[name] else {
                    payload.append(.value(name, html: false))
                    continue
                }
                for part in Self.pieces(text) {
                    switch part {
                    case .text(let literal):
                        var escaped: [UInt8] = []
                        Self.appendJSONEscaped(literal.utf8, to: &escaped)
                        payload.append(.text(escaped))
                    case .slot(let value):
                        payload.append(.value(value, html: html))
                    }
                }
            }
        }
        self.payload = payload
        textBytes = payload.reduce(0) { sum, piece in if case .text(let bytes) = piece { sum + bytes.count } else { sum } }
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
        var fields = personal
        fields["@to"] = recipient
        fields["@id"] = "\(UUID.random().uuidString.lowercased())@onecard"
        var json: [UInt8] = []
        json.reserveCapacity(textBytes + 512)
        for piece in payload {
            switch piece {
            case .text(let bytes): json.append(contentsOf: bytes)
            case .value(let name, let html):
                let value = fields[name] ?? ""
                Self.appendJSONEscaped((html ? MailHTML.escape(value) : value).utf8, to: &json)
            }
        }
        let row = OutboxMessage(kind: .email, partitionKey: nil, payload: String(decoding: json, as: UTF8.self), now: outbox.now)
        row.secretsSealed = try OutboxSecrets.seal(secretNames.map { .init(placeholder: placeholders[$0]!, value: secrets[$0] ?? "") },
                                                   with: outbox.vault)
        return row
    }

    private static func standIn(_ name: String) -> String { "\u{E002}\(name)\u{E003}" }

    private enum Part {
        case text(String)
        case slot(String)
    }

    /// `text` cut at its stand-ins.
    private static func pieces(_ text: String) -> [Part] {
        var pieces: [Part] = []
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
    private static func appendJSONEscaped(_ text: String.UTF8View, to json: inout [UInt8]) {
        guard text.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) else {
            json.append(contentsOf: text)
            return
        }
        let hex = Array("0123456789abcdef".utf8)
        for byte in text {
            switch byte {
            case UInt8(ascii: "\""): json.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): json.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): json.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0..<0x20: json.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                                    hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: json.append(byte)
            }
        }
    }
}
