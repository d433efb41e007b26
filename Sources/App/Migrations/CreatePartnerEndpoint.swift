import Fluent

struct CreatePartnerEndpoint: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PartnerEndpoint.schema)
            .id()
            .field("library_id", .uuid, .required, .references(Library.schema, .id))
            .field("url", .string, .required)
            .field("secret_sealed", .string, .required)
            .field("enabled", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "library_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PartnerEndpoint.schema).delete()
    }
}
