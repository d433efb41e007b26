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
    func enqueueEmail(
        template: String,
        to recipient: String,
        locale: SiteLocale,
        values: [String: String],
        secrets: [String: String] = [:],
        partitionKey: String? = nil,
        emptiedOnceSent: Bool = false,
        on database: any Database
    ) async throws {
        let message = try email(template: template, to: recipient, locale: locale, values: values, secrets: secrets)
        message.partitionKey = partitionKey
        message.emptiedOnceSent = emptiedOnceSent
        try await message.create(on: database)
    }

    /// The rendered message as an unsaved outbox row, for callers that queue many at once (a batch of
    /// group cards) in one statement; they save it in the transaction of the change that caused it.
    func email(template: String, to recipient: String, locale: SiteLocale, values: [String: String],
               secrets: [String: String] = [:]) throws -> OutboxMessage {
        var filled = values
        var sealed: [OutboxSecrets.Secret] = []
        for name in secrets.keys.sorted() {
            let placeholder = localizer.text("mail.secret_removed.\(name)", locale)
            filled[name] = placeholder
            sealed.append(.init(placeholder: placeholder, value: secrets[name]!))
        }
        let message = MailMessage(
            from: settings.mailFrom,
            to: recipient,
            subject: localizer.text("mail.\(template).subject", locale, filled),
            body: localizer.text("mail.\(template).body", locale, filled),
            messageID: "\(UUID().uuidString.lowercased())@onecard",
            date: now
        )
        let payload = String(decoding: try JSONEncoder.sorted.encode(message), as: UTF8.self)
        let row = OutboxMessage(kind: .email, partitionKey: nil, payload: payload, now: now)
        row.secretsSealed = try OutboxSecrets.seal(sealed, in: message, with: vault)
        return row
    }
}
