import Fluent

struct CreateServiceDesk: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ServiceDesk.schema)
            .id()
            .field("library_id", .uuid, .required, .references(Library.schema, .id, onDelete: .cascade))
            .field("code", .string, .required)
            .field("name_zh", .string, .required)
            .field("name_en", .string, .required)
            .field("position", .int, .required)
            .unique(on: "library_id", "code")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ServiceDesk.schema).delete()
    }
}
