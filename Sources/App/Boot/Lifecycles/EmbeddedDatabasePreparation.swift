import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Leaf
import LeafKit
import NIOSSL
import PersonalDataVault
import Prometheus
import Vapor

/// Creates and migrates the embedded database on first start, so `onecard serve` needs no setup.
struct EmbeddedDatabasePreparation: LifecycleHandler {
    func willBootAsync(_ application: Application) async throws {
        try await application.autoMigrate()
    }
}
