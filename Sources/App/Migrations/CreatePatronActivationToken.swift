import Fluent

struct CreatePatronActivationToken: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PatronActivationToken.schema)
            .id()
            .field("patron_id", .uuid, .required, .references(Patron.schema, .id, onDelete: .cascade))
            .field("token_hash", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PatronActivationToken.schema).delete()
    }
}
