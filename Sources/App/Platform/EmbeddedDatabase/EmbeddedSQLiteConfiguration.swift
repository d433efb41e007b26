import FluentKit
import FluentSQLiteDriver

/// The embedded database: Fluent's SQLite driver wrapped in `EmbeddedSQLiteDatabase` (WAL, a busy
/// timeout, one writer at a time with readers beside it).
struct EmbeddedSQLiteConfiguration: DatabaseConfiguration {
    var inner: any DatabaseConfiguration

    var middleware: [any AnyModelMiddleware] {
        get { inner.middleware }
        set { inner.middleware = newValue }
    }

    func makeDriver(for databases: Databases) -> any DatabaseDriver {
        EmbeddedSQLiteDriver(inner: inner.makeDriver(for: databases))
    }
}

extension DatabaseConfigurationFactory {
    static func embeddedSQLite(_ storage: SQLiteConfiguration) -> Self {
        .init { EmbeddedSQLiteConfiguration(inner: DatabaseConfigurationFactory.sqlite(storage, sqlLogLevel: .debug).make()) }
    }
}
