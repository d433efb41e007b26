import Fluent
import Foundation
import PersonalDataVault
import Vapor

/// Queues side effects in the caller's transaction. Nothing leaves the process here: `OutboxWorker`
/// delivers what committed, so a rolled-back change never sends a message.
struct Outbox {
    let localizer: Localizer
    let settings: OneCardSettings
    /// Seals an email's secrets (its one-time link) while it waits; see `OutboxSecrets`.
    let vault: PersonalDataVault
    let now: Date

    /// Renders `mail.<template>.subject` and `.body` in the recipient's language and queues the message.
    /// `secrets` (a one-time link, by the name of its `{placeholder}`) never enter the stored message:
    /// it holds `mail.secret_removed.<name>` in their place, and the values wait sealed beside it until
    /// the worker puts them back to send the message, then are deleted. `emptiedOnceSent` empties the whole
    /// message (address, subject, body) once it is delivered or given up (`OutboxMessage.emptiedOnceSent`).
    ///
    /// `library` is the library the email concerns: it is sent in that library's name, in the reader's
    /// language, from its own address and with its Reply-To when it has them (`onecard library set-mail`);
    /// without one it comes from the configured `ONECARD_MAIL_FROM`.
    func enqueueEmail(
        template: String,
        to recipient: String,
        locale: SiteLocale,
        values: [String: String],
        secrets: [String: String] = [:],
        from library: Library? = nil,
        partitionKey: String? = nil,
        emptiedOnceSent: Bool = false,
        on database: any Database
    ) async throws {
        var sender: (Library, LibraryMailSettings)?
        if let library { sender = (library, try await LibraryMailSettings.of(library, on: database)) }
        let message = try email(template: template, to: recipient, locale: locale, values: values, secrets: secrets, from: sender)
        message.partitionKey = partitionKey
        message.emptiedOnceSent = emptiedOnceSent
        try await message.create(on: database)
    }

    /// The rendered message as an unsaved outbox row, for callers that queue many at once (a batch of
    /// group cards) in one statement; they save it in the transaction of the change that caused it.
    func email(template: String, to recipient: String, locale: SiteLocale, values: [String: String],
               secrets: [String: String] = [:], from library: (Library, LibraryMailSettings)? = nil) throws -> OutboxMessage {
        var filled = values
        var sealed: [OutboxSecrets.Secret] = []
        for name in secrets.keys.sorted() {
            let placeholder = localizer.text("mail.secret_removed.\(name)", locale)
            filled[name] = placeholder
            sealed.append(.init(placeholder: placeholder, value: secrets[name]!))
        }
        let subject = localizer.text("mail.\(template).subject", locale, filled)
        // A link the template names a button for, and only when it is one (a value may be a link or a list).
        var buttons: [String: String] = [:]
        for (name, value) in filled where secrets[name] != nil || value.hasPrefix("https://") || value.hasPrefix("http://") {
            if let label = localizer.textIfPresent("mail.\(template).button.\(name)", locale) { buttons[name] = label }
        }
        // The body with a marker for each value, for the HTML part to escape the text and put values in as it should.
        let skeleton = localizer.text("mail.\(template).body", locale,
                                      Dictionary(uniqueKeysWithValues: filled.keys.map { ($0, MailHTML.marker($0)) }))
        let message = MailMessage(
            from: sender(library, locale),
            to: recipient,
            subject: subject,
            body: localizer.text("mail.\(template).body", locale, filled),
            messageID: "\(UUID().uuidString.lowercased())@onecard",
            date: now,
            html: MailHTML.render(skeleton: skeleton, values: filled, buttons: buttons, title: subject, language: locale.htmlLanguage),
            replyTo: library?.1.mailReplyTo
        )
        let payload = String(decoding: try JSONEncoder.sorted.encode(message), as: UTF8.self)
        let row = OutboxMessage(kind: .email, partitionKey: nil, payload: payload, now: now)
        row.secretsSealed = try OutboxSecrets.seal(sealed, in: message, with: vault)
        return row
    }

    /// The absolute address of a page of the site, for an email to link to.
    func link(_ url: SiteURL) -> String {
        var components = URLComponents(url: settings.baseURL, resolvingAgainstBaseURL: false)!
        components.path = url.path
        return components.url!.absoluteString
    }

    /// 「臺北市立圖書館 <no-reply@…>」: the library's name in the reader's language, at its own address or
    /// the configured one.
    private func sender(_ library: (Library, LibraryMailSettings)?, _ locale: SiteLocale) -> String {
        guard let (library, mail) = library else { return settings.mailFrom }
        return "\(library.name(in: locale)) <\(mail.mailFrom ?? MailMessage.address(in: settings.mailFrom))>"
    }
}
