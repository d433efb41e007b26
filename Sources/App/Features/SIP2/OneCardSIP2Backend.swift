import Crypto
import Fluent
import Foundation
import Logging
import NIOConcurrencyHelpers
import OneCardDomain
import PersonalDataVault
import SIP2
import SQLKit
import Vapor

/// What the SIP2 server asks of OneCard: its SIP2 accounts and card holders, from the database.
/// Built once when the listener starts (`SIP2Lifecycle.backend(for:)`), so it takes the database as a
/// function, like the outbox worker: each call gets a connection from the pool of the loop it runs on.
struct OneCardSIP2Backend: SIP2Backend {
    let database: @Sendable () -> any Database
    let vault: PersonalDataVault
    let passwords: PasswordHashing
    let clock: OneCardClock
    /// The sign-in delay unit and decoy hash of the web sign-in, for the one credential check.
    let signInDelayUnit: TimeInterval
    let decoyPasswordHash: String
    /// Patron PINs verified in the last minutes, so a machine repeating one does not cost a bcrypt each time.
    let verifiedPasswords: SIP2PasswordCache
    /// Writes the lookups' 個人資料查閱紀錄 entries in groups (`patron`).
    let audit: AuditBatchWriter
    let logger: Logger

    private func credentials(on db: any Database, now: Date) -> CredentialCheck {
        CredentialCheck(database: db, passwords: passwords, now: now, delayUnit: signInDelayUnit, decoyHash: decoyPasswordHash)
    }

    func login(user: String, password: String, location: String?, remoteAddress: String?) async throws -> SIP2Account? {
        let db = database()
        let record = try await SIP2AccountRecord.query(on: db).filter(\.$loginUser == user).with(\.$library).first()
        // Verified even for an unknown user (against the decoy), so timing does not tell which users exist.
        let outcome = try await credentials(on: db, now: clock.now())
            .check(password, against: record?.passwordHash, throttle: nil, owner: try record.map { .sip2Account(try $0.requireID()) })
        let verified = outcome == .verified
        guard let record, verified, record.disabledAt == nil, AddressRule.allows(record.allowedAddresses, address: remoteAddress) else {
            let reason = SIP2LoginRefusal(record: record, passwordVerified: verified)
            try await reason.record(account: record, remoteAddress: remoteAddress, logger: logger, at: clock.now(), on: db)
            return nil
        }
        // A right password at another cost has just been hashed again (`CredentialCheck`): the connection's
        // stamp names the hash stored now, or its first patron request would take it for a new password.
        let storedHash = try await SIP2AccountRecord.find(record.requireID(), on: db)?.passwordHash ?? record.passwordHash
        // Not audited as signed in yet: the server may still answer this 93 with 96 (see `loginTaken`).
        return SIP2Account(
            id: try record.requireID().uuidString, user: record.loginUser, institution: record.institution,
            libraryName: record.library.nameZH, errorDetection: record.errorDetection,
            encoding: SIP2TextEncoding(rawValue: record.encoding) ?? .utf8,
            mayReadPersonalData: record.mayReadPersonalData, acceptsAlternateIdentifiers: record.acceptsAlternateIdentifiers,
            remoteAddress: remoteAddress, credentialStamp: Self.credentialStamp(storedHash))
    }

    func loginTaken(_ account: SIP2Account, remoteAddress: String?) async throws {
        let db = database()
        guard let id = UUID(uuidString: account.id), let record = try await SIP2AccountRecord.find(id, on: db) else { return }
        try await AuditTrail.record("sip2.signed_in", by: AuditActor(type: "sip2_account", id: account.id, ipAddress: remoteAddress),
                                    libraryID: record.$library.id, at: clock.now(), on: db)
    }

    /// Audited like every other refused login, with the account when the user names one; no password
    /// was checked, so none can be in it.
    func loginRefusedDuringLockout(user: String, remoteAddress: String?) async throws {
        let db = database()
        let record = try await SIP2AccountRecord.query(on: db).filter(\.$loginUser == user).first()
        try await SIP2LoginRefusal.lockedOut.record(account: record, remoteAddress: remoteAddress, logger: logger, at: clock.now(), on: db)
    }

    /// Names the stored password hash without holding it (the account value lives as long as the
    /// connection): a new password gives a new hash, so a different stamp. Computed on every patron
    /// request to compare, so written without `String(format:)` per byte (issue #13 item 2).
    static func credentialStamp(_ passwordHash: String) -> String {
        OneTimeToken.hash(passwordHash)
    }

    func patron(identifier: String, account: SIP2Account) async throws -> SIP2Patron? {
        let db = database()
        guard let patron = try await visiblePatron(identifier: identifier, account: account, on: db) else { return nil }
        if account.mayReadPersonalData {
            // A client trusted with names and contact details is a library looking at personal data: it goes
            // into the reader's 個人資料查閱紀錄 (issue #14 item 7). Clients without that trust learn a status only.
            // Group commit (issue #13 item 2): one entry per lookup, written with the others of the moment in one
            // INSERT; the answer waits until it is committed. Alone, each entry waited for the embedded
            // database's one writer and synced by itself: 50 clients ran at a twentieth of the in-memory server.
            try await audit.record(AuditEntry(action: "patron.sip2_lookup",
                                              actor: AuditActor(type: "sip2_account", id: account.id, ipAddress: nil),
                                              subject: ("patron", patron.id.uuidString), libraryID: patron.libraryID,
                                              time: clock.now()), on: db)
        }
        // A suspended or expired card is still a known, valid patron (BL Y), as in Koha: the status says
        // what it may not do (positions 1–4) and the screen message tells the reader to see a desk.
        let validity = patron.validity
        return SIP2Patron(
            identifier: patron.cardNumber ?? identifier, name: patron.name, email: patron.email,
            phone: patron.mobile ?? patron.homePhone,
            // A digital card opens e-resources but cannot borrow: the self-check machine must refuse loans.
            chargePrivilegesDenied: patron.cardKind == .digital,
            expired: validity.isExpired(on: CalendarDay(date: clock.now(), timeZone: .taipei)),
            suspended: validity.isSuspended)
    }

    func verifyPatronPassword(_ password: String, patron: SIP2Patron, account: SIP2Account) async throws -> Bool {
        let db = database()
        guard let record = try await visiblePatron(identifier: patron.identifier, account: account, on: db) else { return false }
        let id = record.id
        let now = clock.now()
        let bucket = CredentialCheck.bucket(patron: id)
        if let hash = record.passwordHash, verifiedPasswords.contains(patron: id, storedHash: hash, pin: password, now: now) {
            // Answered without bcrypt, but a card locked since (by guesses elsewhere) stays locked.
            let attempts = try await RateLimiter(database: db).current(bucket, per: SignInThrottle.window, now: now)
            return attempts < SignInThrottle.lockAfter
        }
        // The same per-card throttle as the web sign-in, so SIP2 is no side door for guessing passwords.
        let outcome = try await credentials(on: db, now: now)
            .check(password, against: record.passwordHash, throttle: bucket, whenLocked: .refuseAtOnce, owner: .patron(id))
        guard outcome == .verified, let hash = record.passwordHash else { return false }
        // Remembered under the hash it was verified against (an upgraded hash is found on the next check).
        verifiedPasswords.insert(patron: id, storedHash: hash, pin: password, now: now)
        return true
    }

    /// One statement (`SIP2PatronLookup`): the account's current state, the card holder and whether its
    /// library may see them.
    private func visiblePatron(identifier: String, account: SIP2Account, on db: any Database) async throws -> SIP2PatronLookup.Patron? {
        guard let accountID = UUID(uuidString: account.id) else { return nil }
        let key = PatronDirectory(vault: vault, database: db)
            .lookupKey(identifier: identifier, acceptAlternateIdentifiers: account.acceptsAlternateIdentifiers)
        switch try await SIP2PatronLookup(database: db as! any SQLDatabase).find(key, account: accountID) {
        case .noAccount: return nil
        // Changed after this connection logged in so that its login would no longer be taken (disabled, its
        // address taken off the list, a new password): the server closes the connection instead of answering.
        case .accountDisabled: throw SIP2LoginWithdrawn(account: account.id, reason: .disabled)
        case .account(let allowedAddresses, let passwordHash, let patron):
            guard AddressRule.allows(allowedAddresses, address: account.remoteAddress) else {
                throw SIP2LoginWithdrawn(account: account.id, reason: .addressNotAllowed)
            }
            guard account.credentialStamp == Self.credentialStamp(passwordHash) else {
                throw SIP2LoginWithdrawn(account: account.id, reason: .passwordChanged)
            }
            return patron
        }
    }
}
