import FluentKit

/// Makes `EmbeddedSQLiteDatabase`s around Fluent's SQLite databases, all sharing one writer queue.
struct EmbeddedSQLiteDriver: DatabaseDriver {
    let inner: any DatabaseDriver
    let writer = SQLiteWriterQueue()
    let connections = EmbeddedSQLiteConnections()

    func makeDatabase(with context: DatabaseContext) -> any Database {
        EmbeddedSQLiteDatabase(inner: inner.makeDatabase(with: context), writer: writer, connections: connections, inTransaction: false)
    }

    func shutdown() {
        inner.shutdown()
    }

    func shutdownAsync() async {
        await inner.shutdownAsync()
    }
}
