import Fluent
import SQLKit

/// Housekeeping deletes expired codes and tokens by `expires_at` (issue #15), and every refresh and
/// introspection asks whether the reader's consent to the client stands, by `consent_records.patron_id`:
/// without these indexes both read whole tables that grow with every sign-in.
struct AddOIDCExpiryAndConsentIndexes: AsyncMigration {
    static let indexes = [("oidc_tokens_expires_at", OIDCToken.schema, "expires_at"),
                          ("oidc_authorization_codes_expires_at", OIDCAuthorizationCode.schema, "expires_at"),
                          ("consent_records_patron_id", ConsentRecord.schema, "patron_id")]

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for (name, table, column) in Self.indexes {
            try await sql.create(index: name).on(table).column(column).run()
        }
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for (name, _, _) in Self.indexes {
            try await sql.drop(index: name).run()
        }
    }
}
