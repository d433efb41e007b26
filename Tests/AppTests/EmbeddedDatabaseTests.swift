import Fluent
import Foundation
import SQLKit
import XCTVapor
@testable import App

/// The embedded SQLite default (#13 item 4): WAL, a busy timeout and `synchronous = NORMAL` (and, #13 item 6,
/// a 32 MiB page cache and temporary data in memory) on every connection the app uses, and concurrent writers
/// that queue instead of failing with "database is locked".
final class EmbeddedDatabaseTests: XCTestCase {
    private func skipOnPostgreSQL() throws {
        try XCTSkipIf(TestDatabase.postgresURL != nil, "the embedded database's settings")
    }

    /// Every event loop has its own connection; each of them answers with the embedded settings.
    func testEveryConnectionHasWALABusyTimeoutAndNormalSync() async throws {
        try skipOnPostgreSQL()
        let app = try await makeTestApp()
        defer { Task { try? await app.asyncShutdown() } }
        for eventLoop in app.eventLoopGroup.makeIterator() {
            let sql = app.databases.database(.sqlite, logger: app.logger, on: eventLoop) as! any SQLDatabase
            let journal = try await sql.raw("PRAGMA journal_mode").first()?.decode(column: "journal_mode", as: String.self)
            XCTAssertEqual(journal, "wal")
            // 1 is NORMAL (0 OFF, 2 FULL, 3 EXTRA).
            let synchronous = try await sql.raw("PRAGMA synchronous").first()?.decode(column: "synchronous", as: Int.self)
            XCTAssertEqual(synchronous, 1)
            let timeout = try await sql.raw("PRAGMA busy_timeout").first()?.decode(column: "timeout", as: Int.self)
            XCTAssertEqual(timeout, 5_000)
            let foreignKeys = try await sql.raw("PRAGMA foreign_keys").first()?.decode(column: "foreign_keys", as: Int.self)
            XCTAssertEqual(foreignKeys, 1)
            // #13 item 6: a chunk of a group import stays in the page cache until it commits, and statement
            // journals stay in memory (2 is MEMORY).
            let cache = try await sql.raw("PRAGMA cache_size").first()?.decode(column: "cache_size", as: Int.self)
            XCTAssertEqual(cache, -32_768)
            let temporary = try await sql.raw("PRAGMA temp_store").first()?.decode(column: "temp_store", as: Int.self)
            XCTAssertEqual(temporary, 2)
        }
    }

    /// Transactions that read and then write, from every event loop at once, plus single writes beside
    /// them: in SQLite's rollback journal two such transactions deadlock and one gets SQLITE_BUSY at once.
    /// Here all of them commit, and readers run meanwhile.
    func testConcurrentWritersAllCommit() async throws {
        try skipOnPostgreSQL()
        let app = try await makeTestApp()
        defer { Task { try? await app.asyncShutdown() } }
        let loops = Array(app.eventLoopGroup.makeIterator())
        let rounds = 60
        try await withThrowingTaskGroup(of: Void.self) { group in
            for round in 0..<rounds {
                let database = app.databases.database(.sqlite, logger: app.logger, on: loops[round % loops.count])!
                group.addTask {
                    try await database.transaction { transaction in
                        let before = try await AuditEvent.query(on: transaction).filter(\.$action == "test.write").count()
                        try await AuditTrail.record("test.write", by: .system("test"), details: ["before": "\(before)"],
                                                    at: Date(), on: transaction)
                    }
                }
                group.addTask {
                    try await AuditTrail.record("test.single", by: .system("test"), at: Date(), on: database)
                    _ = try await AuditEvent.query(on: database).count()
                }
            }
            try await group.waitForAll()
        }
        let written = try await AuditEvent.query(on: app.db).filter(\.$action == "test.write").count()
        XCTAssertEqual(written, rounds)
        let single = try await AuditEvent.query(on: app.db).filter(\.$action == "test.single").count()
        XCTAssertEqual(single, rounds)
        // Each transaction saw the ones committed before it: the counts it read are all different.
        let seen = try await AuditEvent.query(on: app.db).filter(\.$action == "test.write").all().compactMap(\.details)
        XCTAssertEqual(Set(seen).count, rounds)
    }
}
