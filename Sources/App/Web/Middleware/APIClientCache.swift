import Fluent
import NIOConcurrencyHelpers
import NIOCore

/// API clients remembered by token hash for a few seconds (issue #13 item 1): `APIClientAuthenticator`
/// read and decoded the client's row on every request of the partner lookup, most of its time.
///
/// Only clients that were valid are remembered (never an unknown or disabled token, so guessing tokens
/// costs memory nothing). Every change of an API client saved by this process (disable, new token, scopes,
/// identifiers, addresses: `APIClientCacheInvalidation`) forgets them all at once, and for `quietPeriod`
/// after it nothing read is remembered, so a read that raced the change's commit is not kept. A change made
/// by another process (`onecard api-client …`, another instance on PostgreSQL) applies within `lifetime`.
final class APIClientCache: Sendable {
    static let lifetime = TimeAmount.seconds(5)
    static let quietPeriod = TimeAmount.seconds(2)
    /// More distinct tokens than this in `lifetime` and the memory starts again from empty.
    static let capacity = 10_000

    private struct State {
        var clients: [String: (client: APIClient, until: NIODeadline)] = [:]
        var quietUntil = NIODeadline.uptimeNanoseconds(0)
    }

    private let state = NIOLockedValueBox(State())

    /// The valid (not revoked) client whose token hashes to `tokenHash`, from memory or the database.
    func client(tokenHash: String, on database: any Database) async throws -> APIClient? {
        let started = NIODeadline.now()
        if let known = state.withLockedValue({ $0.clients[tokenHash] }), known.until > started { return known.client }
        guard let client = try await APIClient.query(on: database)
            .filter(\.$tokenHash == tokenHash).filter(\.$revokedAt == nil).first()
        else { return nil }
        state.withLockedValue { state in
            // A change since this read began (or just before) may not have been visible to it.
            guard started > state.quietUntil else { return }
            if state.clients.count >= Self.capacity { state.clients.removeAll() }
            state.clients[tokenHash] = (client, started + Self.lifetime)
        }
        return client
    }

    /// Forgets every client: one of them changed (or is about to).
    func invalidate() {
        state.withLockedValue { state in
            state.clients.removeAll()
            state.quietUntil = NIODeadline.now() + Self.quietPeriod
        }
    }
}
