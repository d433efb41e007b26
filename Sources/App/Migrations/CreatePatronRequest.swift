import Fluent

struct CreatePatronRequest: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PatronRequest.schema)
            .id()
            .field("patron_id", .uuid, .required, .references(Patron.schema, .id, onDelete: .cascade))
            .field("kind", .string, .required)
            .field("status", .string, .required)
            .field("open_key", .string)
            .field("requested_name", .string)
            .field("note", .string)
            .field("requested_at", .datetime, .required)
            .field("decided_at", .datetime)
            .field("decided_by", .uuid)
            .field("decision_reason", .string)
            .unique(on: "open_key")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PatronRequest.schema).delete()
    }
}
