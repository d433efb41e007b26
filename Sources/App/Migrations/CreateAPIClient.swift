import Fluent

struct CreateAPIClient: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(APIClient.schema)
            .id()
            .field("name", .string, .required)
            .field("library_id", .uuid, .required, .references(Library.schema, .id))
            .field("token_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(APIClient.schema).delete()
    }
}
