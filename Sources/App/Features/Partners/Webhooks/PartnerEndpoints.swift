import Crypto
import Fluent
import Foundation
import PersonalDataVault
import Vapor

/// Partner endpoints as administrators manage them.
enum PartnerEndpoints {
    static let secretContext = "partner_endpoint.secret"

    /// Sets (or replaces) a partner library's endpoint with a new secret, and returns the secret: the
    /// only time it is shown.
    /// `allowsPlainHTTP` outside production, for a partner's test system.
    static func configure(libraryCode: String, url rawURL: String, allowsPlainHTTP: Bool, database: any Database,
                          vault: PersonalDataVault, now: Date) async throws -> String {
        let url = try checkedURL(rawURL, allowsPlainHTTP: allowsPlainHTTP)
        let library = try await Library.require(code: libraryCode, on: database)
        let secret = OneTimeToken.make().token
        let sealed = try vault.seal(secret, context: secretContext)
        try await database.transaction { db in
            if let endpoint = try await PartnerEndpoint.query(on: db).filter(\.$library.$id == library.requireID()).first() {
                endpoint.url = url
                endpoint.secretSealed = sealed
                endpoint.enabled = true
                endpoint.updatedAt = now
                try await endpoint.save(on: db)
            } else {
                try await PartnerEndpoint(libraryID: try library.requireID(), url: url, secretSealed: sealed, now: now).create(on: db)
            }
            try await AuditTrail.record("partner_endpoint.configured", by: .system("cli"), subject: ("library", library.code),
                                        libraryID: library.id, details: ["url": url], at: now, on: db)
        }
        return secret
    }

    /// The webhook URL as it will be stored: an absolute https address (http only outside production, for a
    /// partner's test system), without credentials in it.
    static func checkedURL(_ text: String, allowsPlainHTTP: Bool) throws -> String {
        let url = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(), let host = parsed.host, !host.isEmpty,
              parsed.user == nil, parsed.password == nil,
              scheme == "https" || (scheme == "http" && allowsPlainHTTP)
        else { throw SystemsError.webhookURLInvalid }
        return url
    }

    /// Sets the partner library's webhook URL from the back office. The secret stays as it is; an endpoint
    /// made here gets its first secret, returned (its only showing), as `rotateSecret` would.
    static func setURL(libraryID: UUID, url rawURL: String, allowsPlainHTTP: Bool, by actor: AuditActor, database: any Database,
                       vault: PersonalDataVault, now: Date) async throws -> String? {
        let url = try checkedURL(rawURL, allowsPlainHTTP: allowsPlainHTTP)
        let secret = OneTimeToken.make().token
        return try await database.transaction { db in
            var created: String?
            if let endpoint = try await PartnerEndpoint.query(on: db).filter(\.$library.$id == libraryID).first() {
                guard endpoint.url != url else { return nil }
                endpoint.url = url
                endpoint.updatedAt = now
                try await endpoint.save(on: db)
            } else {
                try await PartnerEndpoint(libraryID: libraryID, url: url, secretSealed: try vault.seal(secret, context: secretContext),
                                          now: now).create(on: db)
                created = secret
            }
            try await AuditTrail.record("partner_endpoint.configured", by: actor, subject: ("library", try await code(of: libraryID, on: db)),
                                        libraryID: libraryID, details: ["url": url], at: now, on: db)
            return created
        }
    }

    /// A new signing secret, returned once and stored sealed; the old one stops signing at once, so the
    /// partner must be given the new one before their next event is accepted.
    static func rotateSecret(libraryID: UUID, by actor: AuditActor, database: any Database, vault: PersonalDataVault,
                             now: Date) async throws -> String {
        let secret = OneTimeToken.make().token
        try await database.transaction { db in
            guard let endpoint = try await PartnerEndpoint.query(on: db).filter(\.$library.$id == libraryID).first() else {
                throw SystemsError.notFound
            }
            endpoint.secretSealed = try vault.seal(secret, context: secretContext)
            endpoint.updatedAt = now
            try await endpoint.save(on: db)
            try await AuditTrail.record("partner_endpoint.secret_rotated", by: actor, subject: ("library", try await code(of: libraryID, on: db)),
                                        libraryID: libraryID, at: now, on: db)
        }
        return secret
    }

    /// Queues a test delivery (`PartnerPing`) through the outbox, audited, and delivers it at once with
    /// `deliverNow`; returns the message as it was left. A ping that failed is not retried (the
    /// administrator sees the error and may send another).
    static func sendTest(libraryID: UUID, by actor: AuditActor, database: any Database, worker: OutboxWorker,
                         now: Date) async throws -> OutboxMessage {
        guard try await PartnerEndpoint.query(on: database).filter(\.$library.$id == libraryID).first() != nil else {
            throw SystemsError.notFound
        }
        let queued = PartnerPing.Queued(eventID: UUID(), occurredAt: now, partnerLibraryID: libraryID)
        let message = OutboxMessage(kind: .partnerPing, partitionKey: nil,
                                    payload: String(decoding: try JSONEncoder.partnerEvents.encode(queued), as: UTF8.self), now: now)
        try await database.transaction { db in
            try await message.create(on: db)
            try await AuditTrail.record("partner_endpoint.test_sent", by: actor, subject: ("library", try await code(of: libraryID, on: db)),
                                        libraryID: libraryID, details: ["outbox_message": String(message.id ?? 0)], at: now, on: db)
        }
        let delivered = try await worker.deliverNow(try message.requireID()) ?? message
        if delivered.status == .pending && delivered.attempts > 0 {
            delivered.status = .failed
            try await delivered.save(on: database)
        }
        return delivered
    }

    private static func code(of library: UUID, on db: any Database) async throws -> String {
        guard let found = try await Library.find(library, on: db) else { throw SystemsError.notFound }
        return found.code
    }
}
