import Fluent
import Foundation
import SQLKit

/// Fixed-window counting in the database, so every app instance shares the same limits.
struct RateLimiter {
    let database: any Database

    /// Counts one attempt in `bucket`'s current window; true while the count stays within `limit`.
    func allow(_ bucket: String, limit: Int, per window: TimeInterval, now: Date) async throws -> Bool {
        let sql = database as! any SQLDatabase
        let windowStart = Int64(now.timeIntervalSince1970 / window) * Int64(window)
        // INSERT … ON CONFLICT … DO UPDATE is atomic on both SQLite and PostgreSQL.
        let row = try await sql.raw("""
            INSERT INTO rate_limit_counters (bucket, window_start, count) VALUES (\(bind: bucket), \(bind: windowStart), 1)
            ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_limit_counters.count + 1
            RETURNING count
            """).first()
        let count = try row?.decode(column: "count", as: Int.self) ?? 1
        return count <= limit
    }
}
