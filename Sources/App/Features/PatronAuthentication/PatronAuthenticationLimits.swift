import Fluent
import Foundation

/// The limits of patron authentication, beside the per-card sign-in lock every password check shares
/// (`CredentialCheck`). A vendor's server speaks for many readers from one address, so its limits are the
/// client's, not the address's:
/// - per client, every call: 1,200 a minute (20 a second: more than two cores verify bcrypt at cost 12
///   or 10, so a single client is bounded by the hash, not by this, and one client cannot starve others);
/// - per client, wrong credentials: 600 an hour, counted before the password is checked and given back when
///   it is right (as `AddressLimit` does for an address): a leaked vendor token guesses at most that many
///   passwords an hour across all cards;
/// - per card, every call from any client: 30 per 15 minutes (an unknown identifier is counted by what was
///   typed, so the limit does not tell which cards exist).
struct PatronAuthenticationLimits {
    static let callsPerClient = (limit: 1_200, window: TimeInterval(60))
    static let failuresPerClient = (limit: 600, window: TimeInterval(60 * 60))
    static let callsPerCard = (limit: 30, window: TimeInterval(15 * 60))

    let database: any Database
    let now: Date

    private var limiter: RateLimiter { RateLimiter(database: database) }

    func countCall(client: UUID) async throws {
        try await count("patron-auth:client:\(client.uuidString)", Self.callsPerClient)
    }

    /// `card`: the card's throttle bucket (`CredentialCheck.bucket(patron:)` or `bucket(typed:)`), already a
    /// key with nothing typed in clear.
    func countCall(card: String) async throws {
        try await count("patron-auth:card:\(card)", Self.callsPerCard)
    }

    func reserveFailure(client: UUID) async throws {
        try await count(failureBucket(client), Self.failuresPerClient)
    }

    func giveBackFailure(client: UUID) async throws {
        try await limiter.uncount(failureBucket(client), per: Self.failuresPerClient.window, now: now)
    }

    private func failureBucket(_ client: UUID) -> String { "patron-auth:client-failures:\(client.uuidString)" }

    private func count(_ bucket: String, _ rule: (limit: Int, window: TimeInterval)) async throws {
        guard try await limiter.count(bucket, per: rule.window, now: now) <= rule.limit else {
            throw PatronAuthenticationError.rateLimited(retryAfter: PatronAuthenticationError.seconds(from: now, to: RateLimiter.windowEnd(now, rule.window)))
        }
    }
}
