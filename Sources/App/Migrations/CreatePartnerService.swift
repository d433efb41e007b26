import Fluent

struct CreatePartnerService: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PartnerService.schema)
            .id()
            .field("library_id", .uuid, .required, .references(Library.schema, .id, onDelete: .cascade))
            .field("code", .string, .required)
            .field("kind", .string, .required)
            .field("partner_library_id", .uuid, .references(Library.schema, .id))
            .field("name_zh", .string, .required)
            .field("name_en", .string, .required)
            .field("position", .int, .required)
            .unique(on: "library_id", "code")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PartnerService.schema).delete()
    }
}
