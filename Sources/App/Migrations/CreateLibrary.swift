import Fluent

struct CreateLibrary: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Library.schema)
            .id()
            .field("code", .string, .required)
            .field("name_zh", .string, .required)
            .field("name_en", .string, .required)
            .field("card_prefix", .string, .required)
            .field("position", .int, .required)
            .field("created_at", .datetime)
            .unique(on: "code")
            .unique(on: "card_prefix")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Library.schema).delete()
    }
}
