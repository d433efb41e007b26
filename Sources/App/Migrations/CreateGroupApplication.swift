import Fluent
import SQLKit

struct CreateGroupApplication: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(GroupApplicationRecord.schema)
            .id()
            .field("library_id", .uuid, .required, .references(Library.schema, .id))
            .field("reference", .string, .required)
            .field("status", .string, .required)
            .field("organization_name", .string, .required)
            .field("organization_kind", .string, .required)
            .field("contact_name", .string, .required)
            .field("contact_title", .string, .required)
            .field("contact_phone", .string, .required)
            .field("contact_email", .string, .required)
            .field("contact_generation", .int, .required)
            .field("letter_number", .string, .required)
            .field("letter_date", .string, .required)
            .field("obligations_accepted_at", .datetime, .required)
            .field("locale", .string, .required)
            .field("submitted_at", .datetime, .required)
            .field("due_on", .string, .required)
            .field("decided_at", .datetime)
            .field("decided_by", .uuid)
            .field("rejection_reason", .string)
            .unique(on: "reference")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "group_applications_queue").on(GroupApplicationRecord.schema)
                .column("library_id").column("status").column("due_on").run()
            try await sql.create(index: "group_applications_contact").on(GroupApplicationRecord.schema)
                .column("contact_email").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(GroupApplicationRecord.schema).delete()
    }
}
