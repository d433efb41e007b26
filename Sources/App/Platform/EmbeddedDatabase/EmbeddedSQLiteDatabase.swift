import FluentKit
import NIOCore
import SQLKit

/// Fluent's SQLite database with the embedded default's rules around it: each connection gets
/// `EmbeddedSQLiteConnections.pragmas` before its first statement, and writes (Fluent's creates, updates
/// and deletes, schema changes, raw SQL that is not a SELECT or PRAGMA, every transaction) go through the
/// one `SQLiteWriterQueue`, while reads run on the connection of their event loop beside the writer.
///
/// Transactions begin IMMEDIATE: the write lock is taken before the first read, so another process
/// writing meanwhile (a `onecard` command beside `serve`) makes this one wait in the busy timeout at
/// BEGIN, instead of failing mid-transaction when its snapshot turns out stale.
struct EmbeddedSQLiteDatabase: Database, SQLDatabase {
    let inner: any Database
    let writer: SQLiteWriterQueue
    let connections: EmbeddedSQLiteConnections
    let inTransaction: Bool

    var context: DatabaseContext { inner.context }
    private var sql: any SQLDatabase { inner as! any SQLDatabase }

    // Database

    func execute(query: DatabaseQuery, onOutput: @escaping @Sendable (any DatabaseOutput) -> Void) -> EventLoopFuture<Void> {
        switch query.action {
        case .read, .aggregate:
            ready { inner.execute(query: query, onOutput: onOutput) }
        case .create, .update, .delete, .custom:
            write { inner.execute(query: query, onOutput: onOutput) }
        }
    }

    func execute(schema: DatabaseSchema) -> EventLoopFuture<Void> {
        write { inner.execute(schema: schema) }
    }

    func execute(enum: DatabaseEnum) -> EventLoopFuture<Void> {
        write { inner.execute(enum: `enum`) }
    }

    func transaction<T: Sendable>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        if inTransaction { return closure(self) }
        return ready {
            eventLoop.makeFutureWithTask { [inner, writer, connections] in
                try await writer.run {
                    try await inner.withConnection { connection in
                        // The body runs in a task of its own; it holds the writer queue too.
                        connection.eventLoop.makeFutureWithTask {
                            try await SQLiteWriterQueue.$isHeld.withValue(true) {
                                let transaction = EmbeddedSQLiteDatabase(
                                    inner: connection, writer: writer, connections: connections, inTransaction: true
                                )
                                let sql = connection as! any SQLDatabase
                                try await sql.raw("BEGIN IMMEDIATE TRANSACTION").run()
                                do {
                                    let result = try await closure(transaction).get()
                                    try await sql.raw("COMMIT TRANSACTION").run()
                                    return result
                                } catch {
                                    try? await sql.raw("ROLLBACK TRANSACTION").run()
                                    throw error
                                }
                            }
                        }
                    }.get()
                }
            }
        }
    }

    func withConnection<T: Sendable>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        ready { [writer, connections, inTransaction] in
            inner.withConnection { connection in
                closure(EmbeddedSQLiteDatabase(inner: connection, writer: writer, connections: connections, inTransaction: inTransaction))
            }
        }
    }

    // SQLDatabase

    var dialect: any SQLDialect { sql.dialect }
    var version: (any SQLDatabaseReportedVersion)? { sql.version }
    var queryLogLevel: Logger.Level? { sql.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        if reads(query) {
            return ready { sql.execute(sql: query, onRow) }
        }
        return write { sql.execute(sql: query, onRow) }
    }

    func withSession<R: Sendable>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await write { eventLoop.makeFutureWithTask { try await sql.withSession(closure) } }.get()
    }

    // The rules

    /// Runs `work` once this event loop's connection has its pragmas.
    private func ready<T: Sendable>(_ work: @escaping @Sendable () -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        if connections.isPrepared(eventLoop) { return work() }
        return eventLoop.makeFutureWithTask { [inner, writer, connections] in
            try await connections.prepare(inner, on: inner.eventLoop, writer: writer)
        }.flatMap(work)
    }

    /// Runs `work` when it is this database's turn to write (at once inside a transaction).
    private func write<T: Sendable>(_ work: @escaping @Sendable () -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        if inTransaction { return work() }
        return ready { [writer, eventLoop] in
            eventLoop.makeFutureWithTask { try await writer.run { try await work().get() } }
        }
    }

    /// Whether raw SQL only reads, by its first word; anything else is treated as a write.
    private func reads(_ query: any SQLExpression) -> Bool {
        if query is SQLSelect || query is SQLUnion { return true }
        if query is SQLInsert || query is SQLUpdate || query is SQLDelete || query is any SQLWritingStatement { return false }
        let text = sql.serialize(query).sql.drop(while: { $0.isWhitespace || $0 == "(" })
        let firstWord = text.prefix(while: { $0.isLetter }).uppercased()
        return firstWord == "SELECT" || firstWord == "PRAGMA" || firstWord == "EXPLAIN"
    }
}
