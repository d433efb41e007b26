import Fluent

/// Fluent's stock session table kept cookie values in clear and never expired a row; `web_sessions`
/// replaces it. Sessions are short-lived, so nothing is carried over: everyone signs in again once.
struct DropFluentSessions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(SessionRecord.schema).delete()
    }

    func revert(on database: any Database) async throws {
        try await SessionRecord.migration.prepare(on: database).get()
    }
}
