import SQLKit

/// The date expressions the reports need, in SQLite's and PostgreSQL's words. SQLite keeps a `Date` as
/// seconds since 1970 (a REAL, SQLiteNIO's encoding); PostgreSQL as `timestamptz`. Taiwan keeps UTC+8 all
/// year, so Taipei's day is the same fixed offset on both.
struct DateSQL: Sendable {
    let postgres: Bool

    /// The Taipei day of `column`, `YYYY-MM-DD`.
    func day(_ column: String) -> SQLQueryString {
        postgres ? "to_char(\(unsafeRaw: column) AT TIME ZONE 'Asia/Taipei', 'YYYY-MM-DD')"
            : "date(\(unsafeRaw: column), 'unixepoch', '+8 hours')"
    }

    /// The Taipei month of `column`, `YYYY-MM`.
    func month(_ column: String) -> SQLQueryString {
        postgres ? "to_char(\(unsafeRaw: column) AT TIME ZONE 'Asia/Taipei', 'YYYY-MM')"
            : "strftime('%Y-%m', \(unsafeRaw: column), 'unixepoch', '+8 hours')"
    }

    /// Seconds from `start` to `end`, as a double.
    func seconds(from start: String, to end: String) -> SQLQueryString {
        postgres ? "CAST(EXTRACT(EPOCH FROM (\(unsafeRaw: end) - \(unsafeRaw: start))) AS DOUBLE PRECISION)"
            : "CAST(\(unsafeRaw: end) - \(unsafeRaw: start) AS REAL)"
    }
}
