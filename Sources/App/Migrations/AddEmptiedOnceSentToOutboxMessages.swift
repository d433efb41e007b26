import Fluent
import SQLKit

/// Marks an email whose content is emptied as soon as it is delivered or given up, instead of after
/// `PatronMail.deliveredRetentionDays` (issue #12, item 13: the notice that a person's data was erased).
/// Every existing message keeps the 30 days.
struct AddEmptiedOnceSentToOutboxMessages: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("outbox_messages")
            .field("emptied_once_sent", .bool, .required, .sql(.default(false)))
            .update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("outbox_messages").deleteField("emptied_once_sent").update()
    }
}
