import Fluent

struct CreateDigitalCardApplication: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(DigitalCardApplication.schema)
            .id()
            .field("patron_id", .uuid, .required, .references(Patron.schema, .id, onDelete: .cascade))
            .field("method", .string, .required)
            .field("status", .string, .required)
            .field("document_set", .string, .required)
            .field("guardian_name", .string)
            .field("guardian_relation", .string)
            .field("submitted_at", .datetime, .required)
            .field("due_on", .string, .required)
            .field("decided_at", .datetime)
            .field("decided_by", .uuid)
            .field("decision_reason", .string)
            .field("correction_token_hash", .string)
            .field("correction_expires_at", .datetime)
            .field("certificate_serial", .string)
            .field("certificate_issuer", .string)
            .field("files_erased_at", .datetime)
            .unique(on: "patron_id")
            .unique(on: "correction_token_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(DigitalCardApplication.schema).delete()
    }
}
