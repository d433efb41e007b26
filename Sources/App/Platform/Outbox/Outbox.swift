import Fluent
import Foundation
import Vapor

/// Queues side effects in the caller's transaction. Nothing leaves the process here: `OutboxWorker`
/// delivers what committed, so a rolled-back change never sends a message.
struct Outbox {
    let localizer: Localizer
    let settings: OneCardSettings
    let now: Date

    /// Renders `mail.<template>.subject` and `.body` in the recipient's language and queues the message.
    func enqueueEmail(
        template: String,
        to recipient: String,
        locale: SiteLocale,
        values: [String: String],
        partitionKey: String? = nil,
        on database: any Database
    ) async throws {
        let message = try email(template: template, to: recipient, locale: locale, values: values)
        message.partitionKey = partitionKey
        try await message.create(on: database)
    }

    /// The rendered message as an unsaved outbox row, for callers that queue many at once (a batch of
    /// group cards) in one statement; they save it in the transaction of the change that caused it.
    func email(template: String, to recipient: String, locale: SiteLocale, values: [String: String]) throws -> OutboxMessage {
        let message = MailMessage(
            from: settings.mailFrom,
            to: recipient,
            subject: localizer.text("mail.\(template).subject", locale, values),
            body: localizer.text("mail.\(template).body", locale, values),
            messageID: "\(UUID().uuidString.lowercased())@onecard",
            date: now
        )
        let payload = String(decoding: try JSONEncoder.sorted.encode(message), as: UTF8.self)
        return OutboxMessage(kind: .email, partitionKey: nil, payload: payload, now: now)
    }
}
