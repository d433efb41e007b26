import Fluent
import Foundation
import Logging
import NIOConcurrencyHelpers
import OneCardDomain
import SIP2
import Vapor

/// What the SIP2 server asks of OneCard: its SIP2 accounts and card holders, from the database.
struct OneCardSIP2Backend: SIP2Backend {
    let app: Application

    func login(user: String, password: String, location: String?, remoteAddress: String?) async throws -> SIP2Account? {
        let record = try await SIP2AccountRecord.query(on: app.db).filter(\.$loginUser == user).with(\.$library).first()
        // Verify even for an unknown user, so timing does not tell which users exist.
        let verified = try await app.password.async(on: app.threadPool, hopTo: app.eventLoopGroup.next())
            .verify(password, created: record?.passwordHash ?? app.decoyPasswordHash).get()
        guard let record, verified, record.disabledAt == nil, AddressRule.allows(record.allowedAddresses, address: remoteAddress) else {
            let reason = SIP2LoginRefusal(record: record, passwordVerified: verified)
            try await reason.record(account: record, on: app, remoteAddress: remoteAddress)
            return nil
        }
        try await AuditTrail.record("sip2.signed_in", by: AuditActor(type: "sip2_account", id: record.id?.uuidString, ipAddress: remoteAddress),
                                    libraryID: record.$library.id, at: app.clock.now(), on: app.db)
        return SIP2Account(
            id: try record.requireID().uuidString, user: record.loginUser, institution: record.institution,
            libraryName: record.library.nameZH, errorDetection: record.errorDetection,
            encoding: SIP2TextEncoding(rawValue: record.encoding) ?? .utf8,
            mayReadPersonalData: record.mayReadPersonalData, acceptsAlternateIdentifiers: record.acceptsAlternateIdentifiers)
    }

    func patron(identifier: String, account: SIP2Account) async throws -> SIP2Patron? {
        guard let patron = try await visiblePatron(identifier: identifier, account: account) else { return nil }
        // A suspended or expired card is still a known, valid patron (BL Y), as in Koha: the status says
        // what it may not do (positions 1–4) and the screen message tells the reader to see a desk.
        let validity = patron.validity
        return SIP2Patron(
            identifier: patron.cardNumber ?? identifier, name: patron.name, email: patron.email,
            phone: patron.mobile ?? patron.homePhone,
            // A digital card opens e-resources but cannot borrow: the self-check machine must refuse loans.
            chargePrivilegesDenied: patron.cardKind == .digital,
            expired: validity.isExpired(on: CalendarDay(date: app.clock.now(), timeZone: .taipei)),
            suspended: validity.isSuspended)
    }

    func verifyPatronPassword(_ password: String, patron: SIP2Patron, account: SIP2Account) async throws -> Bool {
        guard let record = try await visiblePatron(identifier: patron.identifier, account: account) else { return false }
        // The same per-card throttle as the web sign-in, so SIP2 is no side door for guessing passwords.
        let throttle = SignInThrottle(database: app.db, now: app.clock.now(), delayUnit: app.settings.signInDelayUnit)
        let bucket = "signin:patron:\(try record.requireID().uuidString)"
        if try await throttle.isLocked(bucket) { return false }
        let verified = try await app.password.async(on: app.threadPool, hopTo: app.eventLoopGroup.next())
            .verify(password, created: record.passwordHash ?? app.decoyPasswordHash).get()
        if !verified { _ = try await throttle.recordFailure(bucket) }
        return verified
    }

    private func visiblePatron(identifier: String, account: SIP2Account) async throws -> Patron? {
        guard let accountID = UUID(uuidString: account.id),
              let record = try await SIP2AccountRecord.find(accountID, on: app.db)
        else { return nil }
        // Disabled after this connection logged in: the server closes the connection instead of answering.
        guard record.disabledAt == nil else { throw SIP2AccountDisabled(account: account.id) }
        guard let patron = try await PatronDirectory(vault: app.vault, database: app.db)
                .activePatron(identifier: identifier, acceptAlternateIdentifiers: account.acceptsAlternateIdentifiers),
              try await PatronVisibility.isVisible(patron, toLibrary: record.$library.id, on: app.db)
        else { return nil }
        return patron
    }
}
