import Fluent
import PersonalDataVault
import Foundation
import SQLKit
import Vapor

/// How an organization's contact person gets back in without a password: a one-time link by email
/// (after approval, after each finished batch, or on request), which opens a contact session bound to
/// the organization and to the contact of its time. A change of contact person ends both.
struct GroupContactAccess {
    static let linkLifetimeHours = 72
    static let sessionKey = "group_contact"

    /// The site's address, for the links.
    let baseURL: URL
    let now: Date

    private var links: OneTimeLinks<GroupContactToken> { OneTimeLinks(now: now) }

    /// Stores a new token for the application's current contact and returns the link to put in an email.
    func issueLink(for record: GroupApplicationRecord, next: String?, on database: any Database) async throws -> String {
        let issued = links.issue(lifetime: Double(Self.linkLifetimeHours) * 3600)
        try await GroupContactToken(applicationID: record.requireID(), tokenHash: issued.hash, contactGeneration: record.contactGeneration,
                                    nextPath: next, expiresAt: issued.expiresAt)
            .create(on: database)
        var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: false)!
        components.path = SiteURL.groupContactSignIn.path
        components.queryItems = [URLQueryItem(name: "token", value: issued.token)]
        return components.url!.absoluteString
    }

    /// Queues the request as typed (`LinkRequest`), after counting it against `ipAddress` (20 an hour;
    /// beyond that `AddressLimitError`). Does the same work whoever the address belongs to, so neither
    /// the page nor its timing tells who is a contact; the worker answers it with `emailLinks`.
    func requestLinks(to email: String, locale: SiteLocale, ipAddress: String?, vault: PersonalDataVault,
                      on database: any Database) async throws {
        try await AddressLimit(database: database, now: now).reserve(.init(door: .groupContactLink, address: ipAddress))
        try await LinkRequest(purpose: .groupContact, identifier: email, locale: locale.rawValue, ipAddress: ipAddress)
            .enqueue(vault: vault, now: now, on: database)
    }

    /// Answers a queued request (in the outbox worker): emails a sign-in link to the contact of every
    /// approved organization with this (normalized) address, at most 3 an hour for one address.
    func emailLinks(to email: String, ipAddress: String?, outbox: Outbox, on database: any Database) async throws {
        guard try await RateLimiter(database: database)
            .allow("group-contact:email:\(OneTimeToken.hash(email))", limit: 3, per: 3600, now: now)
        else { return }
        let records = try await GroupApplicationRecord.query(on: database).filter(\.$contactEmail == email)
            .filter(\.$status == .approved).with(\.$library).all()
        for record in records {
            try await database.transaction { db in
                let link = try await issueLink(for: record, next: nil, on: db)
                let locale = record.siteLocale
                try await outbox.enqueueEmail(
                    template: "group_contact_link", to: record.contactEmail, locale: locale,
                    values: ["name": record.contactName, "organization": record.organizationName,
                             "hours": String(Self.linkLifetimeHours),
                             "library": record.library.name(in: locale)],
                    secrets: ["link": link], from: record.library, on: db)
                try await AuditTrail.record("group_contact.link_requested", by: .anonymous(ipAddress: ipAddress),
                                            subject: ("group_application", record.id!.uuidString), libraryID: record.$library.id,
                                            at: now, on: db)
            }
        }
    }

    /// The token's application when the token is unused, unexpired and still the current contact's.
    func validToken(_ token: String, on database: any Database) async throws -> GroupContactToken {
        guard let record = try await links.find(token, on: database, loading: { $0.with(\.$application) }),
              record.application.status == .approved,
              record.contactGeneration == record.application.contactGeneration
        else { throw GroupApplicationError.contactLinkInvalid }
        return record
    }

    /// Uses the token once; the caller starts the session.
    func redeem(_ token: String, ipAddress: String?, on database: any Database) async throws -> GroupContactToken {
        let record = try await validToken(token, on: database)
        try await database.transaction { db in
            // Conditional, so a link clicked twice at once opens one session.
            guard try await links.redeem(record, on: db) else { throw GroupApplicationError.contactLinkInvalid }
            record.usedAt = now
            try await AuditTrail.record("group_contact.signed_in", by: AuditActor(type: "group_contact", id: record.application.id?.uuidString,
                                                                                  ipAddress: ipAddress),
                                        subject: ("group_application", record.application.id!.uuidString),
                                        libraryID: record.application.$library.id, at: now, on: db)
        }
        return record
    }
}
