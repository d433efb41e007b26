import Fluent

struct CreateTaipeiPassIdentity: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(TaipeiPassIdentity.schema)
            .id()
            .field("patron_id", .uuid, .required, .references(Patron.schema, .id, onDelete: .cascade))
            .field("issuer", .string, .required)
            .field("subject", .string, .required)
            .field("linked_at", .datetime, .required)
            .field("last_signed_in_at", .datetime)
            .unique(on: "issuer", "subject")
            .unique(on: "patron_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(TaipeiPassIdentity.schema).delete()
    }
}
