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
    let passwords: AsyncPasswordHasher
    let clock: OneCardClock
    /// The sign-in delay unit and decoy hash of the web sign-in, for the one credential check.
    let signInDelayUnit: TimeInterval
    let decoyPasswordHash: String
    let logger: Logger

    private func credentials(on db: any Database, now: Date) -> CredentialCheck {
        CredentialCheck(database: db, passwords: passwords, now: now, delayUnit: signInDelayUnit, decoyHash: decoyPasswordHash)
    }

    func login(user: String, password: String, location: String?, remoteAddress: String?) async throws -> SIP2Account? {
        let db = database()
        let record = try await SIP2AccountRecord.query(on: db).filter(\.$loginUser == user).with(\.$library).first()
        // Verified even for an unknown user (against the decoy), so timing does not tell which users exist.
        let outcome = try await credentials(on: db, now: clock.now()).check(password, against: record?.passwordHash, throttle: nil)
        let verified = outcome == .verified
        guard let record, verified, record.disabledAt == nil, AddressRule.allows(record.allowedAddresses, address: remoteAddress) else {
            let reason = SIP2LoginRefusal(record: record, passwordVerified: verified)
            try await reason.record(account: record, remoteAddress: remoteAddress, logger: logger, at: clock.now(), on: db)
            return nil
        }
        try await AuditTrail.record("sip2.signed_in", by: AuditActor(type: "sip2_account", id: record.id?.uuidString, ipAddress: remoteAddress),
                                    libraryID: record.$library.id, at: clock.now(), on: db)
        return SIP2Account(
            id: try record.requireID().uuidString, user: record.loginUser, institution: record.institution,
            libraryName: record.library.nameZH, errorDetection: record.errorDetection,
            encoding: SIP2TextEncoding(rawValue: record.encoding) ?? .utf8,
            mayReadPersonalData: record.mayReadPersonalData, acceptsAlternateIdentifiers: record.acceptsAlternateIdentifiers)
    }

    func patron(identifier: String, account: SIP2Account) async throws -> SIP2Patron? {
        guard let patron = try await visiblePatron(identifier: identifier, account: account, on: database()) else { return nil }
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
        // The same per-card throttle as the web sign-in, so SIP2 is no side door for guessing passwords.
        let outcome = try await credentials(on: db, now: clock.now())
            .check(password, against: record.passwordHash, throttle: CredentialCheck.bucket(patron: record.id),
                   whenLocked: .refuseAtOnce)
        return outcome == .verified
    }

    /// One statement (`SIP2PatronLookup`): the account's current state, the card holder and whether its
    /// library may see them.
    private func visiblePatron(identifier: String, account: SIP2Account, on db: any Database) async throws -> SIP2PatronLookup.Patron? {
        guard let accountID = UUID(uuidString: account.id) else { return nil }
        let key = PatronDirectory(vault: vault, database: db)
            .lookupKey(identifier: identifier, acceptAlternateIdentifiers: account.acceptsAlternateIdentifiers)
        switch try await SIP2PatronLookup(database: db as! any SQLDatabase).find(key, account: accountID) {
        case .noAccount: return nil
        // Disabled after this connection logged in: the server closes the connection instead of answering.
        case .accountDisabled: throw SIP2AccountDisabled(account: account.id)
        case .account(let patron): return patron
        }
    }
}
