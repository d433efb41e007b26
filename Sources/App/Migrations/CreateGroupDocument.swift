import Fluent

struct CreateGroupDocument: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(GroupDocument.schema)
            .id()
            .field("application_id", .uuid, .required, .references(GroupApplicationRecord.schema, .id, onDelete: .cascade))
            .field("kind", .string, .required)
            .field("media_type", .string, .required)
            .field("file_extension", .string, .required)
            .field("byte_count", .int, .required)
            .field("uploaded_at", .datetime, .required)
            .unique(on: "application_id", "kind")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(GroupDocument.schema).delete()
    }
}
