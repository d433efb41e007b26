import Fluent

/// A card's standing: its 有效期限 (a date string, `YYYY-MM-DD`, read on Taipei's calendar) and a desk's
/// suspension (停權: when, why, by whom). All optional: existing cards have no end and are not suspended.
/// One column per statement, since SQLite alters a table one column at a time.
struct AddStandingToPatron: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Patron.schema).field("card_valid_until", .string).update()
        try await database.schema(Patron.schema).field("suspended_at", .datetime).update()
        try await database.schema(Patron.schema).field("suspension_reason", .string).update()
        try await database.schema(Patron.schema).field("suspended_by", .uuid).update()
    }

    func revert(on database: any Database) async throws {
        for field: FieldKey in ["suspended_by", "suspension_reason", "suspended_at", "card_valid_until"] {
            try await database.schema(Patron.schema).deleteField(field).update()
        }
    }
}
