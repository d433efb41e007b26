import Foundation

/// Where a page of the audit trail starts: the entry before (older) or after (newer) which it continues.
/// Keyset paging on (`occurred_at`, `id`), so an entry written while someone pages (their own look, for one)
/// neither repeats nor skips a row, and a page far back costs what the first one costs.
struct AuditTrailCursor: Sendable, Equatable {
    enum Direction: String, Sendable { case before, after }

    let direction: Direction
    let occurredAt: Date
    let id: UUID

    /// `1765000000.123456_<uuid>`: the instant as the database returned it (a Double that round-trips exactly).
    var value: String { "\(occurredAt.timeIntervalSince1970)_\(id.uuidString)" }

    init(_ direction: Direction, occurredAt: Date, id: UUID) {
        self.direction = direction
        self.occurredAt = occurredAt
        self.id = id
    }

    init?(_ direction: Direction, value: String?) {
        guard let parts = value?.split(separator: "_"), parts.count == 2,
              let seconds = Double(parts[0]), seconds.isFinite, let id = UUID(uuidString: String(parts[1]))
        else { return nil }
        self.init(direction, occurredAt: Date(timeIntervalSince1970: seconds), id: id)
    }
}
