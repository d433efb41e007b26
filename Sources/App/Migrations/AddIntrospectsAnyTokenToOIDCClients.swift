import Fluent

/// A relying party's resource server may be registered to introspect any client's tokens (RFC 7662 §4:
/// the provider decides who may ask). Every client made before answers for its own tokens only, as before.
struct AddIntrospectsAnyTokenToOIDCClients: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(OIDCClient.schema).field("introspects_any_token", .bool, .required, .sql(.default(false))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OIDCClient.schema).deleteField("introspects_any_token").update()
    }
}
