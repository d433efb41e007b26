import Fluent
import SQLKit

struct CreateGroupBatch: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(GroupBatch.schema)
            .id()
            .field("application_id", .uuid, .required, .references(GroupApplicationRecord.schema, .id))
            .field("reference", .string, .required)
            .field("letter_number", .string, .required)
            .field("letter_date", .string, .required)
            .field("status", .string, .required)
            .field("received_at", .datetime, .required)
            .field("target_on", .string, .required)
            .field("due_on", .string, .required)
            .field("row_count", .int, .required)
            .field("left_out", .string, .required)
            .field("imported_count", .int, .required)
            .field("skipped_count", .int, .required)
            .field("decided_at", .datetime)
            .field("decided_by", .uuid)
            .field("rejection_reason", .string)
            .field("import_lease_until", .datetime)
            .field("completed_at", .datetime)
            .unique(on: "reference")
            // Every batch is its own application, under its own official letter.
            .unique(on: "application_id", "letter_number", name: "group_batches_one_per_letter")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "group_batches_queue").on(GroupBatch.schema)
                .column("status").column("due_on").column("received_at").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(GroupBatch.schema).delete()
    }
}
