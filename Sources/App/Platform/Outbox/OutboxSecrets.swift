import Foundation
import PersonalDataVault

/// The secrets of a queued email (its one-time link), sealed with the vault in
/// `outbox_messages.secrets_sealed` while the message waits. The stored message holds a placeholder
/// in their place ("（連結已於寄出後移除）"), which stays there once the message is delivered or given
/// up and the sealed secrets are deleted: anyone who reads the database, a backup or a replica, finds
/// no working link in the outbox.
enum OutboxSecrets {
    /// Under this context only, so a sealed link cannot be passed off as any other sealed value.
    static let context = "outbox_messages.secrets"

    struct Secret: Codable, Equatable {
        /// The text standing in the stored message where the value goes.
        var placeholder: String
        var value: String
    }

    enum Problem: Error, CustomStringConvertible {
        case placeholderMissing(String)
        case placeholdersNotDistinct

        var description: String {
            switch self {
            case .placeholderMissing(let placeholder): "the email's template does not use the secret it was given (\(placeholder))"
            case .placeholdersNotDistinct: "two secrets of one email share a placeholder"
            }
        }
    }

    /// `nil` for a message without secrets. Refuses a secret whose placeholder the rendered message
    /// does not show (the template would send no link), and two secrets with one placeholder (the
    /// worker could not tell where each goes).
    static func seal(_ secrets: [Secret], in message: MailMessage, with vault: PersonalDataVault) throws -> String? {
        guard !secrets.isEmpty else { return nil }
        guard Set(secrets.map(\.placeholder)).count == secrets.count else { throw Problem.placeholdersNotDistinct }
        for secret in secrets where !(message.body.contains(secret.placeholder) || message.subject.contains(secret.placeholder)) {
            throw Problem.placeholderMissing(secret.placeholder)
        }
        return try seal(secrets, with: vault)
    }

    /// The same for secrets whose placeholders were checked already (`OutboxEmailBatch`, once per batch).
    static func seal(_ secrets: [Secret], with vault: PersonalDataVault) throws -> String? {
        guard !secrets.isEmpty else { return nil }
        let json = String(decoding: try JSONEncoder.sorted.encode(secrets), as: UTF8.self)
        return try vault.seal(json, context: context)
    }

    /// The message as it is sent: each placeholder replaced by its secret. A message queued before
    /// secrets were sealed (`sealed == nil`) is sent as stored.
    static func reveal(_ message: MailMessage, sealed: String?, with vault: PersonalDataVault) throws -> MailMessage {
        guard let sealed else { return message }
        let secrets = try JSONDecoder().decode([Secret].self, from: Data(try vault.open(sealed, context: context).utf8))
        var revealed = message
        for secret in secrets {
            revealed.subject = revealed.subject.replacingOccurrences(of: secret.placeholder, with: secret.value)
            revealed.body = revealed.body.replacingOccurrences(of: secret.placeholder, with: secret.value)
            // In the HTML part the placeholder stands escaped, in a link's href.
            revealed.html = revealed.html?.replacingOccurrences(of: MailHTML.escape(secret.placeholder), with: MailHTML.escape(secret.value))
        }
        return revealed
    }
}
