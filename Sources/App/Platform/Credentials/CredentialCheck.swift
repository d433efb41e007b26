import Fluent
import Foundation
import Vapor

/// The one password check behind every sign-in: reader and staff sign-in, the account page's
/// re-check and SIP2. Its steps (count the attempt, verify against the account's hash or the decoy
/// only when the count allows it, give the count back on success) are written here only, so their
/// order lives in one place.
struct CredentialCheck {
    /// What the check answers.
    enum Outcome: Equatable {
        case verified
        /// `locked`: the account was locked (its password was not even tried); `delay`: how long to
        /// wait before answering, from the attempts counted so far in the account's window.
        case refused(locked: Bool, delay: TimeInterval)
    }

    /// What a locked account costs.
    enum WhenLocked {
        /// Verify the password against the decoy, so a locked account answers as slowly as any other
        /// and the answer does not tell it is locked (web sign-in, the account page).
        case verifyDecoy
        /// Refuse at once (SIP2's patron password check, which answers a bare yes/no to a
        /// self-check machine).
        case refuseAtOnce
    }

    let database: any Database
    /// bcrypt on its own bounded pool (`PasswordHashing`).
    let passwords: PasswordHashing
    let now: Date
    /// The unit of the growing delay (`signInDelayUnit`: 0.25 s in production, tiny in tests).
    let delayUnit: TimeInterval
    /// Verified when there is no account, so an unknown account costs the same time as a wrong password.
    let decoyHash: String
    /// Waits out a refusal's delay (`wait`).
    var pause: SignInPause = .sleeping

    /// The throttle bucket of a reader's card: shared by the web sign-in, the account page and SIP2,
    /// so no door is a side door for guessing the same password.
    static func bucket(patron id: UUID) -> String { "signin:patron:\(id.uuidString)" }

    /// The throttle bucket of a staff account.
    static func bucket(staff id: UUID) -> String { "signin:staff:\(id.uuidString)" }

    /// The throttle bucket of what was typed at a sign-in that found no account (`PatronDirectory.typedKey`,
    /// or a staff email): hashed, so the table keeps no typed text. Issue #12: only real accounts used to
    /// be throttled, so the growing delay itself told that an account existed; now an unknown identifier
    /// collects the same count, the same delay and the same lock, through the same steps.
    static func bucket(typed key: String) -> String { "signin:typed:\(OneTimeToken.hash(key))" }

    /// Checks `password` against `hash`, the found account's password hash.
    /// - `hash` nil (no account, or one without a password yet): the decoy is verified and the answer is refused.
    /// - `bucket` nil: nothing is throttled or counted (SIP2 account logins have none). A sign-in that
    ///   found no account passes the bucket of what was typed (`bucket(typed:)`), never nil.
    /// - `address`: the client address's attempt at its door (`AddressLimit`), counted first; beyond its
    ///   limit the check throws `AddressLimitError` and neither the account's count nor bcrypt is touched.
    ///
    /// Issue #12: the attempt is counted first, atomically, and only an attempt numbered within the
    /// limit is verified against the account's hash. Checking the lock, then running bcrypt, then
    /// counting let 100 guesses sent at once all pass the check; now at most `lockAfter` wrong
    /// passwords are ever tried per window, however many arrive together. A right password gives its
    /// count back, so signing in costs the account nothing.
    ///
    /// Issue #13 item 3: the check first takes a place on the hashing pool, so when bcrypt is saturated it
    /// throws `PasswordHashingBusy` before anything is counted or written. With `owner`, a right password
    /// whose hash was made at another cost than the configured one is hashed again and stored
    /// (`PasswordOwner.replaceHash`), so changing `ONECARD_PASSWORD_HASH_COST` reaches every account that signs in.
    func check(_ password: String, against hash: String?, throttle bucket: String?, address: AddressLimit.Attempt? = nil,
               whenLocked: WhenLocked = .verifyDecoy, owner: PasswordOwner? = nil) async throws -> Outcome {
        try await passwords.withPlace { passwords in
            try await check(password, against: hash, throttle: bucket, address: address, whenLocked: whenLocked, owner: owner,
                            passwords: passwords)
        }
    }

    /// Runs `body` with this check holding a place on the hashing pool, for a sign-in that must look its
    /// account up before it can check the password: it takes the place first, so when bcrypt is saturated
    /// the refusal (`PasswordHashingBusy`, 503) is decided before any database read, and a flood of sign-ins
    /// costs the database nothing beyond its session reads (issue #13 item 3). Checks made inside use that place.
    func holdingPlace<T>(_ body: (CredentialCheck) async throws -> T) async throws -> T {
        try await passwords.withPlace { passwords in
            try await body(CredentialCheck(database: database, passwords: passwords, now: now, delayUnit: delayUnit,
                                           decoyHash: decoyHash, pause: pause))
        }
    }

    private func check(_ password: String, against hash: String?, throttle bucket: String?, address: AddressLimit.Attempt?,
                       whenLocked: WhenLocked, owner: PasswordOwner?, passwords: PasswordHashing) async throws -> Outcome {
        let addresses = AddressLimit(database: database, now: now)
        if let address { try await addresses.reserve(address) }
        guard let bucket else {
            let verification = try await passwords.verify(password, created: hash ?? decoyHash, upgrading: hash != nil && owner != nil)
            guard verification.verified, let hash else { return .refused(locked: false, delay: 0) }
            try await store(verification, replacing: hash, of: owner)
            return .verified
        }
        let throttle = SignInThrottle(database: database, now: now, delayUnit: delayUnit)
        let attempt = try await throttle.reserve(bucket)
        guard attempt <= SignInThrottle.lockAfter else {
            if whenLocked == .verifyDecoy { _ = try await passwords.verify(password, created: decoyHash) }
            return .refused(locked: true, delay: whenLocked == .verifyDecoy ? throttle.delay(afterAttempt: attempt) : 0)
        }
        if let hash, case let verification = try await passwords.verify(password, created: hash, upgrading: owner != nil),
           verification.verified {
            try await store(verification, replacing: hash, of: owner)
            try await throttle.giveBack(bucket)
            if let address { try await addresses.giveBack(address) }
            return .verified
        }
        if hash == nil { _ = try await passwords.verify(password, created: decoyHash) }
        return .refused(locked: false, delay: throttle.delay(afterAttempt: attempt))
    }

    private func store(_ verification: PasswordHashing.Verification, replacing hash: String, of owner: PasswordOwner?) async throws {
        guard let owner, let upgraded = verification.upgradedHash else { return }
        try await owner.replaceHash(hash, with: upgraded, on: database)
    }

    /// Waits out a refusal's delay before the answer goes back.
    func wait(_ delay: TimeInterval) async throws {
        try await pause.wait(delay)
    }
}
