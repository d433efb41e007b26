import Fluent

/// The table of one purpose of `PatronLinkToken`, exactly as `CreatePasswordResetToken` and
/// `CreatePatronActivationToken` create it (their names, which the migration log records, stay).
enum PatronLinkTokenTable {
    static func create(_ schema: String, on database: any Database) async throws {
        try await database.schema(schema)
            .id()
            .field("patron_id", .uuid, .required, .references(Patron.schema, .id, onDelete: .cascade))
            .field("token_hash", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }
}
