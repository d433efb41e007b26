import Fluent

/// EZproxy servers that use OneCard as their login (issue #15 item 3); the name in their CGI address is unique.
struct CreateEZproxyHost: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(EZproxyHost.schema)
            .id()
            .field("name", .string, .required)
            .field("library_id", .uuid, .required, .references(Library.schema, .id))
            .field("login_url", .string, .required)
            .field("algorithm", .string, .required)
            .field("secret_sealed", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "name")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(EZproxyHost.schema).delete()
    }
}
