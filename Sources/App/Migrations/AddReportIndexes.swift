import Fluent
import SQLKit

/// The reports (issue #14 item 4) choose rows by when they arrived: without these, a year's report reads
/// every application ever made. Plain `CREATE INDEX`, which SQLite and PostgreSQL both speak.
///
/// The patrons' index holds every column the reports read, so a year of applications is counted from the
/// index alone: reading the 100,000 rows themselves made the page several times slower (`scripts/benchmark-reports`).
struct AddReportIndexes: AsyncMigration {
    static let indexes: [(name: String, table: String, columns: [String])] = [
        ("patrons_applied_at", "patrons", ["applied_at", "library_id", "application_channel", "card_kind", "status", "activated_at"]),
        ("digital_card_applications_submitted_at", "digital_card_applications", ["submitted_at"]),
        ("group_applications_submitted_at", "group_applications", ["submitted_at"]),
        ("group_batches_received_at", "group_batches", ["received_at"]),
        ("partner_links_created_at", "partner_links", ["created_at"]),
        ("patron_requests_requested_at", "patron_requests", ["requested_at"]),
    ]

    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        for index in Self.indexes {
            try await sql.raw("CREATE INDEX \(ident: index.name) ON \(ident: index.table) (\(SQLList(index.columns.map { SQLIdentifier($0) })))").run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        for index in Self.indexes {
            try await sql.raw("DROP INDEX \(ident: index.name)").run()
        }
    }
}
