import Fluent
import Foundation
import OneCardDomain
import PersonalDataVault

/// Failed sign-ins per account: a growing delay from the 4th failure and a 15-minute lock after the
/// 10th within the window, so an account sees at most 40 failures an hour (ASVS 2.2.1 allows 100).
struct SignInThrottle {
    static let window: TimeInterval = 15 * 60
    static let lockAfter = 10

    let database: any Database
    let now: Date
    let delayUnit: TimeInterval

    func isLocked(_ bucket: String) async throws -> Bool {
        try await RateLimiter(database: database).current(bucket, per: Self.window, now: now) >= Self.lockAfter
    }

    /// Records a failure and returns how long to wait before answering.
    func recordFailure(_ bucket: String) async throws -> TimeInterval {
        let count = try await RateLimiter(database: database).count(bucket, per: Self.window, now: now)
        return count <= 3 ? 0 : min(pow(2, Double(count - 4)), 16) * delayUnit
    }
}
