import Fluent
import SQLKit

struct CreateAuditEvent: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AuditEvent.schema)
            .id()
            .field("occurred_at", .datetime, .required)
            .field("actor_type", .string, .required)
            .field("actor_id", .string)
            .field("action", .string, .required)
            .field("subject_type", .string)
            .field("subject_id", .string)
            .field("library_id", .uuid)
            .field("ip_address", .string)
            .field("details", .string)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "audit_events_library_time").on(AuditEvent.schema)
                .column("library_id").column("occurred_at").run()
            try await sql.create(index: "audit_events_subject").on(AuditEvent.schema)
                .column("subject_type").column("subject_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AuditEvent.schema).delete()
    }
}
