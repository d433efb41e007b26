import FluentKit
import NIOConcurrencyHelpers
import NIOCore
import SQLKit

/// The settings every connection to the embedded database gets before its first statement, and which
/// connections have them. Fluent's SQLite driver keeps exactly one connection per event loop for the
/// life of the app, so "this event loop's connection is prepared" is remembered per event loop.
///
/// - `busy_timeout`: a writer from another process (an `onecard` command beside `serve`) is waited
///   for up to 5 s. It replaces the SQLite driver's own busy handler, which retries at once, forever.
/// - `journal_mode = WAL`: readers do not block the writer nor it them; stored in the file itself.
/// - `synchronous = NORMAL`: in WAL mode a commit is written to the WAL before it returns and is
///   synced at checkpoints, so a crash of the process (or a kill) loses nothing committed; a power
///   loss or operating-system crash may lose the last transactions before a checkpoint, never the
///   file's consistency.
/// - `cache_size = -32768` (32 MiB, taken only as pages are used; SQLite's default is 2 MiB): a large
///   transaction (a group batch's chunk of cards) re-dirties the pages of its indexes; with the default
///   cache they were spilled to the WAL mid-transaction and read back again and again (issue #13 item 6).
/// - `temp_store = MEMORY`: statement journals of multi-row INSERTs (and temporary sort tables) stay in
///   memory rather than in temporary files.
final class EmbeddedSQLiteConnections: Sendable {
    static let busyTimeoutMilliseconds = 5_000
    static let pragmas = [
        "PRAGMA busy_timeout = \(busyTimeoutMilliseconds)",
        "PRAGMA journal_mode = WAL",
        "PRAGMA synchronous = NORMAL",
        "PRAGMA cache_size = -32768",
        "PRAGMA temp_store = MEMORY",
    ]

    private let prepared = NIOLockedValueBox(Set<ObjectIdentifier>())

    func isPrepared(_ eventLoop: any EventLoop) -> Bool {
        prepared.withLockedValue { $0.contains(ObjectIdentifier(eventLoop)) }
    }

    /// Sets the pragmas on `database`'s connection (the one of `eventLoop`). The journal mode changes the
    /// file, so it is done as a writer.
    func prepare(_ database: any Database, on eventLoop: any EventLoop, writer: SQLiteWriterQueue) async throws {
        let sql = database as! any SQLDatabase
        try await writer.run {
            for pragma in Self.pragmas {
                try await sql.raw(SQLQueryString(pragma)).run()
            }
        }
        _ = prepared.withLockedValue { $0.insert(ObjectIdentifier(eventLoop)) }
    }
}
