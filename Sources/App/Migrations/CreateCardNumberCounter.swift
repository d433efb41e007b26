import Fluent
import SQLKit

/// The next card serial of each library, incremented atomically when a desk activates a card.
struct CreateCardNumberCounter: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("card_number_counters")
            .field("library_id", .uuid, .required, .references(Library.schema, .id))
            .field("last_serial", .int, .required)
            .unique(on: "library_id")
            .create()
        let sql = database as! any SQLDatabase
        for library in try await Library.query(on: database).all() {
            try await sql.insert(into: "card_number_counters")
                .columns("library_id", "last_serial").values(SQLBind(library.id!), SQLBind(0)).run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("card_number_counters").delete()
    }
}
