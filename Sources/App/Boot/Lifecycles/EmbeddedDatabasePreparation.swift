import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Leaf
import LeafKit
import NIOConcurrencyHelpers
import NIOSSL
import PersonalDataVault
import Prometheus
import SQLKit
import Vapor

/// Creates and migrates the embedded database on first start, so `onecard serve` needs no setup.
///
/// Every command starts through here (`calendar due`, `roster check` …), and nearly always every migration
/// has run already. Fluent's migrator then still computes each migration's default name through
/// `String(reflecting:)` (its check for unstable names): a quarter of the CPU of `calendar due` (issue #13
/// item 5). So the names recorded in `_fluent_migrations` are read first, in one statement, and Fluent's
/// migrator runs only when a registered migration is missing there (or the table itself is).
struct EmbeddedDatabasePreparation: LifecycleHandler {
    func willBootAsync(_ application: Application) async throws {
        if await Self.everyMigrationRecorded(application) { return }
        try await application.autoMigrate()
    }

    /// True when the database records every registered migration by the name Fluent gives it.
    static func everyMigrationRecorded(_ application: Application) async -> Bool {
        guard let registered = registeredMigrations(application.migrations), !registered.isEmpty,
              let sql = application.db as? any SQLDatabase,
              let rows = try? await sql.raw("SELECT name FROM _fluent_migrations").all()
        else { return false }
        let recorded = Set(rows.compactMap { try? $0.decode(column: "name", as: String.self) })
        return registered.allSatisfy { recorded.contains($0.name) }
    }

    /// The migrations registered for the default database. Fluent keeps them in an internal `storage`; read
    /// through `Mirror`, and nil (so Fluent's migrator runs, as before) if that ever changes shape or
    /// migrations are registered for another database.
    static func registeredMigrations(_ migrations: Migrations) -> [any Migration]? {
        guard let box = Mirror(reflecting: migrations).children.first(where: { $0.label == "storage" })?.value
                as? NIOLockedValueBox<[DatabaseID?: [any Migration]]>
        else { return nil }
        return box.withLockedValue { storage in
            storage.keys.allSatisfy { $0 == nil } ? storage[DatabaseID?.none] ?? [] : nil
        }
    }
}
