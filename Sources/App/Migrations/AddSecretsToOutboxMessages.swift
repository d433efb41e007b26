import Fluent
import Foundation
import SQLKit

/// Where a queued email's one-time link waits, sealed, instead of in its payload (issue #12, item 1).
/// Messages queued before it have none and are sent as stored. Delivered and failed messages of that
/// time still quoting a link get the placeholder in its place (they have no further use for it, and a
/// staff invitation or contact link may still work); pending ones keep theirs, to be sent.
struct AddSecretsToOutboxMessages: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("outbox_messages").field("secrets_sealed", .string).update()
        guard let sql = database as? any SQLDatabase else { return }
        struct Row: Decodable { var id: Int; var payload: String }
        let rows = try await sql.raw("""
            SELECT id, payload FROM outbox_messages
            WHERE kind = 'email' AND status <> 'pending' AND payload LIKE '%token=%'
            """).all(decoding: Row.self)
        for row in rows {
            guard var message = try? JSONDecoder().decode(MailMessage.self, from: Data(row.payload.utf8)) else { continue }
            message.subject = Self.withoutTokens(message.subject)
            message.body = Self.withoutTokens(message.body)
            let payload = String(decoding: try JSONEncoder.sorted.encode(message), as: UTF8.self)
            try await sql.raw("UPDATE outbox_messages SET payload = \(bind: payload) WHERE id = \(bind: row.id)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("outbox_messages").deleteField("secrets_sealed").update()
    }

    /// Every link's token value (`token=…` up to the next character outside the URL-safe alphabet) blanked.
    static func withoutTokens(_ text: String) -> String {
        text.replacingOccurrences(of: #"token=[A-Za-z0-9_\-%.~]+"#, with: "token=REMOVED", options: .regularExpression)
    }
}
