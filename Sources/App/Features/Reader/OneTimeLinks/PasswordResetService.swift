import Fluent
import Foundation
import OneCardDomain
import PersonalDataVault
import Vapor

/// 忘記密碼: emails a one-time link valid 30 minutes, and sets the new password with it once.
struct PasswordResetService {
    static let lifetime: TimeInterval = 30 * 60

    let database: any Database
    let vault: PersonalDataVault
    let passwords: PasswordHashing
    let passwordRule: ReaderPasswordRule
    let outbox: Outbox
    let baseURL: URL
    let now: Date

    private var links: OneTimeLinks<PasswordResetToken> { OneTimeLinks(now: now) }

    /// Queues the request as typed (`LinkRequest`), after counting it against `ipAddress` (20 an hour;
    /// beyond that `AddressLimitError`). Does the same work whether or not the card exists, so neither
    /// the page nor its timing can find card holders; the worker answers it with `sendLink`.
    func requestLink(identifier: String, fallbackLocale: SiteLocale, ipAddress: String?) async throws {
        try await AddressLimit(database: database, now: now).reserve(.init(door: .passwordReset, address: ipAddress))
        try await LinkRequest(purpose: .passwordReset, identifier: identifier, locale: fallbackLocale.rawValue, ipAddress: ipAddress)
            .enqueue(vault: vault, now: now, on: database)
    }

    /// Answers a queued request (in the outbox worker): emails a reset link when `identifier` names an
    /// active card with an email address, at most 3 an hour for one card, and otherwise nothing.
    /// `fallbackLocale` is the page's language, for a reader without one of their own.
    func sendLink(identifier: String, fallbackLocale: SiteLocale, ipAddress: String?) async throws {
        guard let patron = try await PatronDirectory(vault: vault, database: database).activePatron(identifier: identifier),
              let email = patron.email,
              try await RateLimiter(database: database).allow("reset:patron:\(patron.requireID().uuidString)", limit: 3, per: 3600, now: now)
        else { return }
        let issued = links.issue(lifetime: Self.lifetime)
        var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: false)!
        components.path = SiteURL.resetPassword.path
        components.queryItems = [URLQueryItem(name: "token", value: issued.token)]
        let link = components.url!.absoluteString
        let locale = SiteLocale(rawValue: patron.locale) ?? fallbackLocale
        let library = try await patron.$library.get(on: database)
        try await database.transaction { db in
            try await PasswordResetToken(patronID: patron.requireID(), tokenHash: issued.hash, expiresAt: issued.expiresAt).create(on: db)
            try await AuditTrail.record("reader.password_reset_requested", by: .anonymous(ipAddress: ipAddress),
                                        subject: ("patron", patron.id!.uuidString), libraryID: patron.$library.id, at: now, on: db)
            try await outbox.enqueueEmail(
                template: "password_reset", to: email, locale: locale,
                values: ["name": patron.name, "minutes": "30"], secrets: ["link": link],
                from: library, partitionKey: PatronMail.partitionKey(patron.requireID()), on: db)
        }
    }

    /// The link's record while it is unused and unexpired and its card active.
    func validLink(_ token: String) async throws -> PasswordResetToken {
        guard let record = try await links.find(token, on: database, loading: { $0.with(\.$patron) }),
              record.patron.status == .active
        else { throw PasswordResetError.invalidOrExpired }
        return record
    }

    /// Sets the new password with the link, once: throws `NewPasswordRejected` for a password
    /// the rule refuses, and `PasswordResetError.invalidOrExpired` for a link that is not (or no
    /// longer, when another request used it first) valid.
    func reset(token: String, password: String, confirmation: String, ipAddress: String?) async throws {
        let record = try await validLink(token)
        let patron = record.patron
        try passwordRule.check(password, confirmation: confirmation, for: patron)
        let hash = try await passwords.hash(password)
        try await database.transaction { db in
            guard try await links.redeem(record, on: db) else { throw PasswordResetError.invalidOrExpired }
            patron.passwordHash = hash
            try await patron.save(on: db)
            // Every outstanding link of this reader dies with the one used.
            try await PasswordResetToken.query(on: db).filter(\.$patron.$id == patron.requireID()).filter(\.$usedAt == nil)
                .set(\.$usedAt, to: now).update()
            // A reset is what a reader does when someone else may know the password: every session
            // signed in as them ends, and the reset page sends them to sign in afresh.
            try await WebSessions.endSessions(ofPatron: patron.requireID(), on: db)
            try await AuditTrail.record("reader.password_reset", by: AuditActor(type: "reader", id: patron.id?.uuidString, ipAddress: ipAddress),
                                        subject: ("patron", patron.id!.uuidString), libraryID: patron.$library.id, at: now, on: db)
        }
    }
}
