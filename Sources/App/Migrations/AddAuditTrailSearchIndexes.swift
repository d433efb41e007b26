import Fluent
import SQLKit

/// Indexes for the audit trail's filters (issue #14 item 5). The trail is read newest first, in keyset pages
/// on (`occurred_at`, `id`): across every library for the consortium administrator, by action, and by actor.
/// A library's own entries already have `audit_events_library_time`, and a subject's `audit_events_subject`.
struct AddAuditTrailSearchIndexes: AsyncMigration {
    static let indexes: [(name: String, columns: [String])] = [
        ("audit_events_time", ["occurred_at", "id"]),
        ("audit_events_action_time", ["action", "occurred_at"]),
        ("audit_events_actor_time", ["actor_id", "occurred_at"]),
    ]

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for index in Self.indexes {
            var create = sql.create(index: index.name).on(AuditEvent.schema)
            for column in index.columns { create = create.column(column) }
            try await create.run()
        }
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for index in Self.indexes { try await sql.drop(index: index.name).run() }
    }
}
