import Fluent

struct CreateConsentRecord: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ConsentRecord.schema)
            .id()
            .field("patron_id", .uuid, .required, .references(Patron.schema, .id, onDelete: .cascade))
            .field("document_id", .uuid, .required, .references(ConsentDocument.schema, .id))
            .field("given_at", .datetime, .required)
            .field("channel", .string, .required)
            .field("withdrawn_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ConsentRecord.schema).delete()
    }
}
