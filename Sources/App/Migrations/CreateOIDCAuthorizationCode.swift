import Fluent

struct CreateOIDCAuthorizationCode: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(OIDCAuthorizationCode.schema)
            .id()
            .field("code_hash", .string, .required)
            .field("client_id", .uuid, .required, .references(OIDCClient.schema, .id))
            .field("patron_id", .uuid, .required, .references(Patron.schema, .id))
            .field("redirect_uri", .string, .required)
            .field("scopes", .string, .required)
            .field("nonce", .string)
            .field("code_challenge", .string)
            .field("auth_time", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .unique(on: "code_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OIDCAuthorizationCode.schema).delete()
    }
}
