import Fluent
import SQLKit
import XCTVapor
@testable import App

/// Issue #13 item 5: the migrations' names are written without `String(reflecting:)` (`AsyncMigration+Name`),
/// and must stay exactly Fluent's default: a database records the names of the migrations it has run, and a
/// changed name would run its migration again on every existing database.
final class MigrationNameTests: XCTestCase {
    func testEveryMigrationKeepsFluentsDefaultName() async throws {
        try await withTestApp { app in
            let registered = try XCTUnwrap(EmbeddedDatabasePreparation.registeredMigrations(app.migrations))
            XCTAssertGreaterThan(registered.count, 60)
            for migration in registered {
                XCTAssertEqual(migration.name, String(reflecting: type(of: migration)))
                XCTAssertFalse(migration.name.contains("unknown context"), migration.name)
            }
            let recorded = try await (app.db as! any SQLDatabase).raw("SELECT name FROM _fluent_migrations").all()
                .map { try $0.decode(column: "name", as: String.self) }
            XCTAssertEqual(Set(recorded), Set(registered.map { String(reflecting: type(of: $0)) }),
                           "the database records the names Fluent has always given them")
        }
    }

    /// The start's shortcut (`EmbeddedDatabasePreparation`): Fluent's migrator is skipped only while the database
    /// records every registered migration; one missing record, or no table of them, and it runs.
    func testTheStartSkipsFluentsMigratorOnlyWhenEveryMigrationIsRecorded() async throws {
        try await withTestApp { app in
            let registered = try XCTUnwrap(EmbeddedDatabasePreparation.registeredMigrations(app.migrations))
            XCTAssertGreaterThan(registered.count, 60, "read out of Fluent's registry")
            let everyRecorded = await EmbeddedDatabasePreparation.everyMigrationRecorded(app)
            XCTAssertTrue(everyRecorded)
            let sql = app.db as! any SQLDatabase
            try await sql.raw("DELETE FROM _fluent_migrations WHERE name = \(bind: String(reflecting: AddReportIndexes.self))").run()
            let oneMissing = await EmbeddedDatabasePreparation.everyMigrationRecorded(app)
            XCTAssertFalse(oneMissing)
            try await sql.raw("DROP TABLE _fluent_migrations").run()
            let noTable = await EmbeddedDatabasePreparation.everyMigrationRecorded(app)
            XCTAssertFalse(noTable)
        }
    }
}
