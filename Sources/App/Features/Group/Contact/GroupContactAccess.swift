import Fluent
import Foundation
import SQLKit
import Vapor

/// How an organization's contact person gets back in without a password: a one-time link by email
/// (after approval, after each finished batch, or on request), which opens a contact session bound to
/// the organization and to the contact of its time. A change of contact person ends both.
struct GroupContactAccess {
    static let linkLifetimeHours = 72
    static let sessionKey = "group_contact"

    /// The site's address, which the emailed link starts with.
    let baseURL: URL
    let now: Date

    /// Stores a new token for the application's current contact and returns the link to put in an email.
    func issueLink(for record: GroupApplicationRecord, next: String?, on database: any Database) async throws -> String {
        let (token, hash) = OneTimeToken.make()
        try await GroupContactToken(applicationID: record.requireID(), tokenHash: hash, contactGeneration: record.contactGeneration,
                                    nextPath: next, expiresAt: now.addingTimeInterval(Double(Self.linkLifetimeHours) * 3600))
            .create(on: database)
        var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: false)!
        components.path = SiteURL.groupContactSignIn.path
        components.queryItems = [URLQueryItem(name: "token", value: token)]
        return components.url!.absoluteString
    }

    /// The token's application when the token is unused, unexpired and still the current contact's.
    func validToken(_ token: String, on database: any Database) async throws -> GroupContactToken {
        guard !token.isEmpty,
              let record = try await GroupContactToken.query(on: database).filter(\.$tokenHash == OneTimeToken.hash(token))
                .filter(\.$usedAt == nil).with(\.$application).first(),
              record.expiresAt > now, record.application.status == .approved,
              record.contactGeneration == record.application.contactGeneration
        else { throw GroupApplicationError.contactLinkInvalid }
        return record
    }

    /// Uses the token once; the caller starts the session.
    func redeem(_ token: String, ipAddress: String?, on database: any Database) async throws -> GroupContactToken {
        let record = try await validToken(token, on: database)
        try await database.transaction { db in
            // Conditional, so a link clicked twice at once opens one session.
            let claimed = try await (db as! any SQLDatabase).raw("""
                UPDATE \(ident: GroupContactToken.schema) SET used_at = \(bind: now)
                WHERE id = \(bind: record.requireID()) AND used_at IS NULL RETURNING id
                """).all()
            guard !claimed.isEmpty else { throw GroupApplicationError.contactLinkInvalid }
            record.usedAt = now
            try await AuditTrail.record("group_contact.signed_in", by: AuditActor(type: "group_contact", id: record.application.id?.uuidString,
                                                                                  ipAddress: ipAddress),
                                        subject: ("group_application", record.application.id!.uuidString),
                                        libraryID: record.application.$library.id, at: now, on: db)
        }
        return record
    }
}
