import Fluent
import SQLKit

/// A letter number is used up by a clean file whether or not it became a batch (issue #12 item 2): one
/// upload per organization and letter among the outcomes that use it up, as a partial unique index (both
/// SQLite and PostgreSQL have them), so two concurrent uploads under one letter cannot both be recorded.
///
/// Returned files no longer say who in them is registered: what earlier ones recorded of that is removed.
struct AddOneLetterUseToGroupRosterUploads: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("""
            CREATE UNIQUE INDEX group_roster_uploads_one_per_letter ON \(ident: GroupRosterUpload.schema) (application_id, letter_number)
            WHERE outcome IN ('accepted', 'nobody_to_register')
            """).run()
        try await sql.update(GroupRosterUpload.schema).set("left_out", to: SQLLiteral.null)
            .where("outcome", .equal, GroupRosterUpload.Outcome.returned.rawValue).run()
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).raw("DROP INDEX group_roster_uploads_one_per_letter").run()
    }
}
