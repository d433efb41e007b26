import Fluent

struct CreateOIDCClient: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(OIDCClient.schema)
            .id()
            .field("client_id", .string, .required)
            .field("name", .string, .required)
            .field("home_page", .string, .required)
            .field("redirect_uris", .string, .required)
            .field("scopes", .string, .required)
            .field("library_codes", .string, .required)
            .field("all_digital_cards", .bool, .required)
            .field("secret_hash", .string)
            .field("consent_code", .string, .required)
            .field("disabled_at", .datetime)
            .field("created_at", .datetime, .required)
            .unique(on: "client_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OIDCClient.schema).delete()
    }
}
