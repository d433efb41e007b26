import Fluent
import Foundation
import SQLKit

/// API clients get explicit scopes (issue #15 item 4), and patron authentication's choice of identifiers.
///
/// Clients made before had no kind, so what each needed is read from what it has done (the audit trail):
/// one that has submitted card applications keeps `card-applications`, one that has looked up patrons keeps
/// `partner-lookup`. A partner system that only ever probed ID numbers got `409 already_registered`
/// (`card_application.duplicate`), never a submission, so it loses `card-applications`: the hole this closes.
/// A client with no such history keeps both routes it could use before, so nothing in service stops on
/// upgrade; `onecard api-client list` shows every client's scopes and `api-client update` narrows them.
/// Nobody gets `patron-authentication` without asking for it.
struct AddScopesToAPIClients: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(APIClient.schema).field("scopes", .string, .required, .sql(.default(""))).update()
        try await database.schema(APIClient.schema).field("alternate_identifiers", .bool, .required, .sql(.default(false))).update()
        try await Self.backfill(on: database)
    }

    /// Gives every client the scopes its history shows (see above).
    static func backfill(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        var used: [String: Set<APIScope>] = [:]
        let rows = try await sql.raw("""
            SELECT DISTINCT actor_id, action FROM audit_events
            WHERE actor_type = 'api_client' AND action IN ('card_application.submitted', 'patron.partner_lookup')
            """).all()
        for row in rows {
            guard let id = try row.decodeNil(column: "actor_id") ? nil : row.decode(column: "actor_id", as: String.self) else { continue }
            let action = try row.decode(column: "action", as: String.self)
            used[id.lowercased(), default: []].insert(action == "patron.partner_lookup" ? .partnerLookup : .cardApplications)
        }
        // Rows, not models: a later migration may add fields this one does not know yet.
        for row in try await sql.select().column("id").from(APIClient.schema).all() {
            let id = try row.decode(column: "id", as: UUID.self)
            let history = used[id.uuidString.lowercased()] ?? []
            let scopes: Set<APIScope> = history.isEmpty ? [.cardApplications, .partnerLookup] : history
            try await sql.update(APIClient.schema).set("scopes", to: APIScope.text(scopes)).where("id", .equal, id).run()
        }
    }

    func revert(on database: any Database) async throws {
        for field: FieldKey in ["alternate_identifiers", "scopes"] {
            try await database.schema(APIClient.schema).deleteField(field).update()
        }
    }
}
