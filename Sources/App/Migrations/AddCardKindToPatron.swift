import Fluent
import SQLKit

/// Physical-rights cards and digital-only cards (數位借閱證, which open e-resources but cannot borrow).
struct AddCardKindToPatron: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Patron.schema)
            .field("card_kind", .string, .required, .sql(.default("physical")))
            .update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Patron.schema).deleteField("card_kind").update()
    }
}
