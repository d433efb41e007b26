import Fluent

/// The 有效期限 whose passing the card's linked partners were told of (`CardExpiryEvents`), so each
/// expiry is announced once. Cards already past their 有效期限 have none, so partners hear of them at the
/// first housekeeping after this migration: before #16 their `valid` did not follow it.
struct AddPartnersToldExpiredOnToPatron: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Patron.schema).field("partners_told_expired_on", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Patron.schema).deleteField("partners_told_expired_on").update()
    }
}
