import Fluent
import Foundation
import SQLKit

/// Fixed-window counting in the database, so every app instance shares the same limits.
struct RateLimiter {
    let database: any Database

    /// Counts one attempt in `bucket`'s current window; true while the count stays within `limit`.
    func allow(_ bucket: String, limit: Int, per window: TimeInterval, now: Date) async throws -> Bool {
        try await count(bucket, per: window, now: now) <= limit
    }

    /// Counts one attempt in `bucket`'s current window and returns the window's count so far.
    func count(_ bucket: String, per window: TimeInterval, now: Date) async throws -> Int {
        try await add(1, to: bucket, per: window, now: now)
    }

    /// Adds `amount` to `bucket`'s current window and returns the window's total so far (one attempt, or
    /// e.g. the rows of a file checked per day).
    func add(_ amount: Int, to bucket: String, per window: TimeInterval, now: Date) async throws -> Int {
        let sql = database as! any SQLDatabase
        // INSERT … ON CONFLICT … DO UPDATE is atomic on both SQLite and PostgreSQL.
        let row = try await sql.raw("""
            INSERT INTO rate_limit_counters (bucket, window_start, count) VALUES (\(bind: bucket), \(bind: Self.windowStart(now, window)), \(bind: amount))
            ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_limit_counters.count + \(bind: amount)
            RETURNING count
            """).first()
        return try row?.decode(column: "count", as: Int.self) ?? amount
    }

    /// When `bucket`'s window that holds `now` ends: the time to tell someone to try again.
    static func windowEnd(_ now: Date, _ window: TimeInterval) -> Date {
        Date(timeIntervalSince1970: TimeInterval(windowStart(now, window)) + window)
    }

    /// Takes back one attempt counted in `bucket`'s current window (never below zero), in one statement,
    /// so concurrent give-backs and counts cannot lose each other's changes.
    func uncount(_ bucket: String, per window: TimeInterval, now: Date) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("""
            UPDATE rate_limit_counters SET count = count - 1
            WHERE bucket = \(bind: bucket) AND window_start = \(bind: Self.windowStart(now, window)) AND count > 0
            """).run()
    }

    /// The count of `bucket`'s current window, without counting.
    func current(_ bucket: String, per window: TimeInterval, now: Date) async throws -> Int {
        let sql = database as! any SQLDatabase
        let row = try await sql.raw("""
            SELECT count FROM rate_limit_counters WHERE bucket = \(bind: bucket) AND window_start = \(bind: Self.windowStart(now, window))
            """).first()
        return try row?.decode(column: "count", as: Int.self) ?? 0
    }

    static func windowStart(_ now: Date, _ window: TimeInterval) -> Int64 {
        Int64(now.timeIntervalSince1970 / window) * Int64(window)
    }
}
