import Fluent
import Foundation
import OneCardDomain
import PersonalDataVault

/// Failed sign-ins per account: a growing delay from the 4th failure and a 15-minute lock after the
/// 10th within the window, so at most 40 wrong passwords an hour are tried against an account's hash
/// (ASVS 2.2.1 allows 100).
///
/// An attempt is counted before its password is verified (`reserve`), in one atomic statement, and
/// its number decides whether it may be verified at all: N guesses sent at once get the numbers 1…N,
/// and only the first `lockAfter` reach bcrypt. A check made first and a count made after bcrypt
/// would let every concurrent guess pass the check before any of them was counted.
struct SignInThrottle {
    static let window: TimeInterval = 15 * 60
    static let lockAfter = 10

    let database: any Database
    let now: Date
    let delayUnit: TimeInterval

    /// Counts one attempt in `bucket`'s window and returns its number in the window (1 for the first).
    /// An attempt numbered above `lockAfter` finds the account locked.
    func reserve(_ bucket: String) async throws -> Int {
        try await RateLimiter(database: database).count(bucket, per: Self.window, now: now)
    }

    /// Gives back a reservation whose password was right: a successful sign-in is no failure, so it
    /// neither uses up the window nor clears the failures counted before it.
    func giveBack(_ bucket: String) async throws {
        try await RateLimiter(database: database).uncount(bucket, per: Self.window, now: now)
    }

    /// How long to wait before answering the attempt numbered `attempt` that failed.
    func delay(afterAttempt attempt: Int) -> TimeInterval {
        attempt <= 3 ? 0 : min(pow(2, Double(attempt - 4)), 16) * delayUnit
    }

}
