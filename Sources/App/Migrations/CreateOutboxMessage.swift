import Fluent
import SQLKit

struct CreateOutboxMessage: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(OutboxMessage.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("kind", .string, .required)
            .field("partition_key", .string)
            .field("payload", .string, .required)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("available_at", .datetime, .required)
            .field("claimed_until", .datetime)
            .field("last_error", .string)
            .field("created_at", .datetime, .required)
            .field("delivered_at", .datetime)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "outbox_messages_due").on(OutboxMessage.schema)
                .column("status").column("available_at").run()
            try await sql.create(index: "outbox_messages_partition").on(OutboxMessage.schema)
                .column("partition_key").column("status").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OutboxMessage.schema).delete()
    }
}
