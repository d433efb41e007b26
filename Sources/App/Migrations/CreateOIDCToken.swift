import Fluent
import SQLKit

struct CreateOIDCToken: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(OIDCToken.schema)
            .id()
            .field("token_hash", .string, .required)
            .field("kind", .string, .required)
            .field("client_id", .uuid, .required, .references(OIDCClient.schema, .id))
            .field("patron_id", .uuid, .required, .references(Patron.schema, .id))
            .field("grant_id", .uuid, .required)
            .field("scopes", .string, .required)
            .field("issued_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()
        // A replayed code or a reused refresh token revokes its grant's tokens by this column.
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "oidc_tokens_grant_id").on(OIDCToken.schema).column("grant_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OIDCToken.schema).delete()
    }
}
