import Fluent

struct CreateGroupContactToken: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(GroupContactToken.schema)
            .id()
            .field("application_id", .uuid, .required, .references(GroupApplicationRecord.schema, .id, onDelete: .cascade))
            .field("token_hash", .string, .required)
            .field("contact_generation", .int, .required)
            .field("next_path", .string)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(GroupContactToken.schema).delete()
    }
}
