import Fluent
import SQLKit

/// Whom each browser session signs in (`patron_id`, `staff_id`, indexed), so a password change or
/// reset can end that person's other sessions (issue #12). Sessions from before have no owner and
/// could not be found that way, so they end here: everyone signs in again once, as when
/// `DropFluentSessions` shipped. One column per statement, since SQLite alters a table one column at a time.
struct AddOwnerToWebSession: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.query(WebSession.self).delete()
        try await database.schema(WebSession.schema).field("patron_id", .uuid).update()
        try await database.schema(WebSession.schema).field("staff_id", .uuid).update()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "web_sessions_patron").on(WebSession.schema).column("patron_id").run()
            try await sql.create(index: "web_sessions_staff").on(WebSession.schema).column("staff_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.drop(index: "web_sessions_staff").run()
            try await sql.drop(index: "web_sessions_patron").run()
        }
        for field: FieldKey in ["staff_id", "patron_id"] {
            try await database.schema(WebSession.schema).deleteField(field).update()
        }
    }
}
