import Fluent
import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// The consortium's public directory (libraries, their desks and partner services), which the home page
/// and `/api/v1/libraries` show to every visitor. It changes only with a migration or a command, so it is
/// read once and kept: the home page no longer loads and decodes every library, desk and service for each
/// visit. `invalidate()` drops it at once (for a change made in this process); a change made by another
/// process (`onecard migrate` beside `serve`) is seen after at most `lifetime`.
final class ConsortiumDirectory: Sendable {
    static let lifetime: TimeInterval = 60

    private struct Snapshot {
        let libraries: [LibraryDTO]
        let readAt: Date
        /// The libraries as `/api/v1/libraries` answers them, encoded once per snapshot (issue #13 item 1).
        var encoded: ByteBuffer?
    }
    private let snapshot = NIOLockedValueBox<Snapshot?>(nil)

    /// The libraries in the consortium's order, desks and services in theirs.
    func libraries(on database: any Database, now: Date) async throws -> [LibraryDTO] {
        try await current(on: database, now: now).libraries
    }

    /// The libraries as `encode` writes them, encoded once for as long as they are kept.
    func encodedLibraries(on database: any Database, now: Date, encode: ([LibraryDTO]) throws -> ByteBuffer) async throws -> ByteBuffer {
        let kept = try await current(on: database, now: now)
        if let encoded = kept.encoded { return encoded }
        let encoded = try encode(kept.libraries)
        snapshot.withLockedValue { if $0?.readAt == kept.readAt { $0?.encoded = encoded } }
        return encoded
    }

    private func current(on database: any Database, now: Date) async throws -> Snapshot {
        if let kept = snapshot.withLockedValue({ $0 }), now >= kept.readAt, now.timeIntervalSince(kept.readAt) < Self.lifetime {
            return kept
        }
        let closed = try await ServiceDeskClosure.closedIDs(on: database)
        let withdrawn = try await PartnerServiceWithdrawal.withdrawnIDs(on: database)
        let libraries = try await Library.consortiumQuery(on: database).all().map { $0.toDTO(closedDesks: closed, withdrawnServices: withdrawn) }
        let read = Snapshot(libraries: libraries, readAt: now)
        snapshot.withLockedValue { $0 = read }
        return read
    }

    func invalidate() {
        snapshot.withLockedValue { $0 = nil }
    }
}
