import Fluent

struct CreateIdentityDocumentFile: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(IdentityDocumentFile.schema)
            .id()
            .field("application_id", .uuid, .required, .references(DigitalCardApplication.schema, .id, onDelete: .cascade))
            .field("slot", .string, .required)
            .field("media_type", .string, .required)
            .field("byte_count", .int, .required)
            .field("pixel_width", .int)
            .field("pixel_height", .int)
            .field("removed_metadata", .string)
            .field("uploaded_at", .datetime, .required)
            .field("superseded", .bool, .required)
            .field("erased_at", .datetime)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(IdentityDocumentFile.schema).delete()
    }
}
