import Fluent
import Foundation
import Vapor

/// The one password check behind every sign-in: reader and staff sign-in, the account page's
/// re-check and SIP2. Its steps (is the account locked, verify against the account's hash or the
/// decoy, count a failure) are written here only, so their order lives in one place: issue #12
/// changes it to count-before-verify here and nowhere else.
struct CredentialCheck {
    /// What the check answers.
    enum Outcome: Equatable {
        case verified
        /// `locked`: the account was locked (its password may even have been right); `delay`: how long
        /// to wait before answering, from the failures counted so far in the account's window.
        case refused(locked: Bool, delay: TimeInterval)
    }

    /// What a locked account costs.
    enum WhenLocked {
        /// Verify anyway and count the failure, so a locked account answers as slowly as any other
        /// and the answer does not tell it is locked (web sign-in, the account page).
        case verifyAndCount
        /// Refuse at once and count nothing (SIP2's patron password check, which answers a bare
        /// yes/no to a self-check machine).
        case refuseAtOnce
    }

    let database: any Database
    let passwords: AsyncPasswordHasher
    let now: Date
    /// The unit of the growing delay (`signInDelayUnit`: 0.25 s in production, tiny in tests).
    let delayUnit: TimeInterval
    /// Verified when there is no account, so an unknown account costs the same time as a wrong password.
    let decoyHash: String

    /// The throttle bucket of a reader's card: shared by the web sign-in, the account page and SIP2,
    /// so no door is a side door for guessing the same password.
    static func bucket(patron id: UUID) -> String { "signin:patron:\(id.uuidString)" }

    /// The throttle bucket of a staff account.
    static func bucket(staff id: UUID) -> String { "signin:staff:\(id.uuidString)" }

    /// Checks `password` against `hash`, the found account's password hash.
    /// - `hash` nil (no account, or one without a password yet): the decoy is verified and the answer is refused.
    /// - `bucket` nil: nothing is throttled or counted (an unknown account has no bucket of its own;
    ///   SIP2 account logins have none).
    func check(_ password: String, against hash: String?, throttle bucket: String?,
               whenLocked: WhenLocked = .verifyAndCount) async throws -> Outcome {
        let throttle = SignInThrottle(database: database, now: now, delayUnit: delayUnit)
        var locked = false
        if let bucket { locked = try await throttle.isLocked(bucket) }
        if locked, whenLocked == .refuseAtOnce { return .refused(locked: true, delay: 0) }
        let verified = try await passwords.verify(password, created: hash ?? decoyHash)
        if verified, hash != nil, !locked { return .verified }
        var delay: TimeInterval = 0
        if let bucket { delay = try await throttle.recordFailure(bucket) }
        return .refused(locked: locked, delay: delay)
    }

    /// Waits out a refusal's delay before the answer goes back.
    static func wait(_ delay: TimeInterval) async throws {
        if delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000)) }
    }
}
