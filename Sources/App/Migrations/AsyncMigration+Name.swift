import FluentKit

extension AsyncMigration {
    /// The name Fluent records in `_fluent_migrations`: the same text as its default (`App.CreateLibrary`),
    /// written with `_typeName` instead of `String(reflecting:)`. Fluent's default goes through
    /// `debugPrint`, whose protocol-conformance lookups for each of the ~70 migrations were a quarter of
    /// the CPU of a short command such as `onecard calendar due`, which checks migrations at start
    /// (issue #13 item 5). The names must never change (a changed name runs its migration again):
    /// `MigrationNameTests` compares every registered migration's name with Fluent's default.
    var name: String { _typeName(Self.self, qualified: true) }
}
