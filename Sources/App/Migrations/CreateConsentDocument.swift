import Fluent

struct CreateConsentDocument: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ConsentDocument.schema)
            .id()
            .field("code", .string, .required)
            .field("version", .int, .required)
            .field("title_zh", .string, .required)
            .field("title_en", .string, .required)
            .field("body_zh", .string, .required)
            .field("body_en", .string, .required)
            .field("published_at", .datetime, .required)
            .unique(on: "code", "version")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ConsentDocument.schema).delete()
    }
}
