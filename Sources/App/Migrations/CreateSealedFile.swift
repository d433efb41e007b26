import Fluent

/// Sealed files in the database (issue #12, shared files): `bytea` on PostgreSQL and a blob on SQLite,
/// through Fluent's `.data`.
struct CreateSealedFile: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(SealedFile.schema)
            .id()
            .field("sealed", .data, .required)
            .field("key_id", .string, .required)
            .field("byte_count", .int, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SealedFile.schema).delete()
    }
}
