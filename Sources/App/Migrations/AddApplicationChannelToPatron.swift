import Fluent
import SQLKit

/// Which way each application came in (issue #14 item 4's applications per day, by channel): the web form,
/// a kiosk or partner system through the API, a group batch, or the digital card form. Until now only the
/// consent records said so, and counting a year of applications by joining them is too slow for a report page.
///
/// Rows made before are read from what they left behind: a digital card application, or the channel their
/// consents were recorded through (`group`, `api`); everything else came through the web form.
struct AddApplicationChannelToPatron: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Patron.schema)
            .field("application_channel", .string, .required, .sql(.default(Patron.ApplicationChannel.web.rawValue)))
            .update()
        let sql = database as! any SQLDatabase
        try await sql.raw("""
            UPDATE patrons SET application_channel = 'api'
            WHERE id IN (SELECT patron_id FROM consent_records WHERE channel = 'api')
            """).run()
        try await sql.raw("""
            UPDATE patrons SET application_channel = 'group'
            WHERE id IN (SELECT patron_id FROM consent_records WHERE channel = 'group')
            """).run()
        try await sql.raw("""
            UPDATE patrons SET application_channel = 'digital'
            WHERE id IN (SELECT patron_id FROM digital_card_applications)
            """).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Patron.schema).deleteField("application_channel").update()
    }
}
