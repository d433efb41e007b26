import Fluent

/// The next version of a consent document while an administrator writes it: one draft per document
/// (unique `code`), changed freely until it is published as a new `consent_documents` row.
struct CreateConsentDraft: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ConsentDraft.schema)
            .id()
            .field("code", .string, .required)
            .field("title_zh", .string, .required)
            .field("title_en", .string, .required)
            .field("body_zh", .string, .required)
            .field("body_en", .string, .required)
            .field("requires_renewed_consent", .bool, .required)
            .field("updated_at", .datetime, .required)
            .field("updated_by", .uuid, .references(StaffMember.schema, .id, onDelete: .setNull))
            .unique(on: "code")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ConsentDraft.schema).delete()
    }
}
