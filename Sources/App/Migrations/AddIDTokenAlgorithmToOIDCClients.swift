import Fluent

/// A relying party that can only verify RS256 gets its ID tokens signed RS256 (issue #15: "RS256 too if a client
/// needs it"). Every client made before keeps ES256. The database refuses any other value, whoever writes it.
struct AddIDTokenAlgorithmToOIDCClients: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(OIDCClient.schema)
            .field("id_token_signed_response_alg", .string, .required, .sql(.default("ES256")),
                   .sql(unsafeRaw: "CHECK (id_token_signed_response_alg IN ('ES256', 'RS256'))"))
            .update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OIDCClient.schema).deleteField("id_token_signed_response_alg").update()
    }
}
