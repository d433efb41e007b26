import Fluent
import Foundation

/// How many reader data files an organization (one group application) may upload, and how many rows of
/// clean files may be looked up in the consortium, so that no contact can test ID numbers in bulk
/// (issue #12 item 2). Every upload counts, whatever becomes of it (returned, unreadable or accepted),
/// before its file is read; the counters are the shared database windows of `RateLimiter`, counted in
/// one statement each, so concurrent uploads cannot slip past them.
///
/// A school sends one file per official letter, and fixes a returned file a few times: 10 an hour and 30
/// a day leave room for that. 100,000 rows a day is one whole file of the largest size the checker takes.
struct GroupRosterUploadLimit {
    static let uploadsPerHour = 10
    static let uploadsPerDay = 30
    static let rowsPerDay = 100_000

    let database: any Database
    let now: Date

    /// Counts one upload of `record`'s organization; throws `uploadLimitReached` (with the time the
    /// window that is full ends) when the hour's or the day's uploads are used up.
    func admitUpload(of record: GroupApplicationRecord, ipAddress: String?) async throws {
        let limiter = RateLimiter(database: database)
        let id = try record.requireID().uuidString
        let hourly = try await limiter.count("group-roster:uploads:\(id)", per: 3600, now: now)
        let daily = try await limiter.count("group-roster:uploads-day:\(id)", per: 86400, now: now)
        if daily > Self.uploadsPerDay {
            try await refuse(record, limit: "uploads_per_day", retryAt: RateLimiter.windowEnd(now, 86400), ipAddress: ipAddress)
        }
        if hourly > Self.uploadsPerHour {
            try await refuse(record, limit: "uploads_per_hour", retryAt: RateLimiter.windowEnd(now, 3600), ipAddress: ipAddress)
        }
    }

    /// Counts the rows of a clean file about to be looked up; throws `uploadLimitReached` when the day's
    /// rows are used up (the file is then neither looked up nor kept, and its letter stays unused).
    func admitRows(_ rows: Int, of record: GroupApplicationRecord, ipAddress: String?) async throws {
        let id = try record.requireID().uuidString
        let total = try await RateLimiter(database: database).add(rows, to: "group-roster:rows-day:\(id)", per: 86400, now: now)
        if total > Self.rowsPerDay {
            try await refuse(record, limit: "rows_per_day", retryAt: RateLimiter.windowEnd(now, 86400), ipAddress: ipAddress)
        }
    }

    private func refuse(_ record: GroupApplicationRecord, limit: String, retryAt: Date, ipAddress: String?) async throws -> Never {
        try await AuditTrail.record("group_roster.rate_limited", by: AuditActor(type: "group_contact", id: record.id?.uuidString, ipAddress: ipAddress),
                                    subject: ("group_application", record.requireID().uuidString), libraryID: record.$library.id,
                                    details: ["limit": limit], at: now, on: database)
        throw GroupApplicationError.uploadLimitReached(retryAt: retryAt)
    }
}
