import Fluent

struct CreateOIDCSigningKey: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(OIDCSigningKey.schema)
            .id()
            .field("kid", .string, .required)
            .field("algorithm", .string, .required)
            .field("private_key_sealed", .string, .required)
            .field("public_key_pem", .string, .required)
            .field("created_at", .datetime, .required)
            .field("retired_at", .datetime)
            .unique(on: "kid")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OIDCSigningKey.schema).delete()
    }
}
