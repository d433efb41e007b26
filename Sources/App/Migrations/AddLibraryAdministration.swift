import Fluent
import SQLKit

/// What administering the consortium's libraries on the web needs (issue #14 item 6): a desk can be
/// closed and a partner service withdrawn without deleting the rows that records point to; and the names
/// a reader chooses between are unique, as the codes already were, so two libraries (or two desks of one
/// library) cannot be told apart only by an id, even when two administrators save at once.
/// One column per statement, since SQLite alters a table one column at a time.
struct AddLibraryAdministration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ServiceDesk.schema).field("closed_at", .datetime).update()
        try await database.schema(PartnerService.schema).field("withdrawn_at", .datetime).update()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "libraries_name_zh").unique().on(Library.schema).column("name_zh").run()
        try await sql.create(index: "libraries_name_en").unique().on(Library.schema).column("name_en").run()
        try await sql.create(index: "service_desks_library_name_zh").unique().on(ServiceDesk.schema)
            .column("library_id").column("name_zh").run()
        try await sql.create(index: "service_desks_library_name_en").unique().on(ServiceDesk.schema)
            .column("library_id").column("name_en").run()
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            for index in ["service_desks_library_name_en", "service_desks_library_name_zh", "libraries_name_en", "libraries_name_zh"] {
                try await sql.drop(index: index).run()
            }
        }
        try await database.schema(PartnerService.schema).deleteField("withdrawn_at").update()
        try await database.schema(ServiceDesk.schema).deleteField("closed_at").update()
    }
}
