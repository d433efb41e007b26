import Fluent
import Foundation
import SQLKit

/// A partner event's two libraries (the receiving partner and the reader's home library) as columns of its
/// outbox message, so the back office counts one library's failing deliveries in SQL rather than decoding
/// the JSON payloads of every failing delivery in the consortium (issue #14, item 6). Existing partner
/// events are filled in from their payloads. One column per statement, since SQLite alters a table one
/// column at a time; the same on PostgreSQL.
struct AddLibrariesToOutboxMessages: AsyncMigration {
    private struct Libraries: Decodable {
        let partnerLibraryID: UUID
        let homeLibraryID: UUID
    }

    func prepare(on database: any Database) async throws {
        try await database.schema(OutboxMessage.schema).field("partner_library_id", .uuid).update()
        try await database.schema(OutboxMessage.schema).field("home_library_id", .uuid).update()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "outbox_messages_partner_library").on(OutboxMessage.schema)
            .column("kind").column("status").column("partner_library_id").run()
        try await sql.create(index: "outbox_messages_home_library").on(OutboxMessage.schema)
            .column("kind").column("status").column("home_library_id").run()
        let rows = try await sql.select().column("id").column("payload").from(OutboxMessage.schema)
            .where("kind", .equal, OutboxMessage.Kind.partnerEvent.rawValue).all()
        for row in rows {
            let id = try row.decode(column: "id", as: Int.self)
            let payload = try row.decode(column: "payload", as: String.self)
            guard let libraries = try? JSONDecoder().decode(Libraries.self, from: Data(payload.utf8)) else { continue }
            try await sql.update(OutboxMessage.schema)
                .set("partner_library_id", to: SQLBind(libraries.partnerLibraryID))
                .set("home_library_id", to: SQLBind(libraries.homeLibraryID))
                .where("id", .equal, SQLBind(id)).run()
        }
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.drop(index: "outbox_messages_partner_library").run()
            try await sql.drop(index: "outbox_messages_home_library").run()
        }
        try await database.schema(OutboxMessage.schema).deleteField("home_library_id").update()
        try await database.schema(OutboxMessage.schema).deleteField("partner_library_id").update()
    }
}
