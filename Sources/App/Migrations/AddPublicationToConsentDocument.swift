import Fluent
import SQLKit

/// A consent document's publication (issue #14 item 6): the day a version comes into force
/// (`effective_at`; nil for the versions published before there were effective dates, in force since
/// their publication) and whether readers who agreed to an older version must be asked again.
///
/// A published version never changes: the service has no way to edit one, and the database refuses any
/// UPDATE of the table, so neither a bug nor a hand-written statement can change the text a reader agreed
/// to. One column per statement, since SQLite alters a table one column at a time.
struct AddPublicationToConsentDocument: AsyncMigration {
    static let trigger = "consent_documents_never_change"

    func prepare(on database: any Database) async throws {
        try await database.schema(ConsentDocument.schema).field("effective_at", .datetime).update()
        try await database.schema(ConsentDocument.schema)
            .field("requires_renewed_consent", .bool, .required, .sql(.default(false))).update()
        guard let sql = database as? any SQLDatabase else { return }
        if sql.dialect.name == "sqlite" {
            try await sql.raw("""
                CREATE TRIGGER \(unsafeRaw: Self.trigger) BEFORE UPDATE ON consent_documents
                BEGIN SELECT RAISE(ABORT, 'a published consent document never changes'); END
                """).run()
        } else {
            try await sql.raw("""
                CREATE FUNCTION \(unsafeRaw: Self.trigger)() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'a published consent document never changes'; END $$
                """).run()
            try await sql.raw("""
                CREATE TRIGGER \(unsafeRaw: Self.trigger) BEFORE UPDATE ON consent_documents
                FOR EACH ROW EXECUTE FUNCTION \(unsafeRaw: Self.trigger)()
                """).run()
        }
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            if sql.dialect.name == "sqlite" {
                try await sql.raw("DROP TRIGGER \(unsafeRaw: Self.trigger)").run()
            } else {
                try await sql.raw("DROP TRIGGER \(unsafeRaw: Self.trigger) ON consent_documents").run()
                try await sql.raw("DROP FUNCTION \(unsafeRaw: Self.trigger)()").run()
            }
        }
        try await database.schema(ConsentDocument.schema).deleteField("requires_renewed_consent").update()
        try await database.schema(ConsentDocument.schema).deleteField("effective_at").update()
    }
}
