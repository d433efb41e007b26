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

    let app: Application
    let now: Date

    /// Stores a new token for the application's current contact and returns the link to put in an email.
    func issueLink(for record: GroupApplicationRecord, next: String?, on database: any Database) async throws -> String {
        let (token, hash) = OneTimeToken.make()
        try await GroupContactToken(applicationID: record.requireID(), tokenHash: hash, contactGeneration: record.contactGeneration,
                                    nextPath: next, expiresAt: now.addingTimeInterval(Double(Self.linkLifetimeHours) * 3600))
            .create(on: database)
        var components = URLComponents(url: app.settings.baseURL, resolvingAgainstBaseURL: false)!
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

extension Request {
    private struct GroupContactKey: StorageKey { typealias Value = GroupApplicationRecord }

    /// The organization whose contact is signed in on this session, if the session is still valid:
    /// the organization is approved and its contact has not changed since the sign-in.
    func groupContact() async throws -> GroupApplicationRecord? {
        if let cached = storage[GroupContactKey.self] { return cached }
        guard hasSession, let value = session.data[GroupContactAccess.sessionKey] else { return nil }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let id = UUID(uuidString: String(parts[0])), let generation = Int(parts[1]),
              let record = try await GroupApplicationRecord.query(on: db).filter(\.$id == id).with(\.$library).first(),
              record.status == .approved, record.contactGeneration == generation
        else {
            session.data[GroupContactAccess.sessionKey] = nil
            return nil
        }
        storage[GroupContactKey.self] = record
        return record
    }

    func requireGroupContact() async throws -> GroupApplicationRecord {
        guard let record = try await groupContact() else { throw GroupApplicationError.contactSignInRequired }
        return record
    }

    func startGroupContactSession(_ record: GroupApplicationRecord) async throws {
        try await rotateSession()
        session.data[GroupContactAccess.sessionKey] = "\(try record.requireID().uuidString):\(record.contactGeneration)"
    }
}
