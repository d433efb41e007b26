import Fluent

/// Fixed-window counters shared by every app instance (keys hold blind indexes, never raw ID numbers).
struct CreateRateLimitCounter: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("rate_limit_counters")
            .field("bucket", .string, .required)
            .field("window_start", .int64, .required)
            .field("count", .int, .required)
            .unique(on: "bucket", "window_start")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("rate_limit_counters").delete()
    }
}
