import Crypto
import Fluent
import Foundation
import Vapor

/// Partner endpoints as administrators manage them.
enum PartnerEndpoints {
    static let secretContext = "partner_endpoint.secret"

    /// Sets (or replaces) a partner library's endpoint with a new secret, and returns the secret: the
    /// only time it is shown.
    static func configure(libraryCode: String, url: String, app: Application) async throws -> String {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), parsed.host != nil,
              scheme == "https" || (scheme == "http" && app.environment != .production)
        else { throw CommandInputError(description: "--url must be an https:// address (http:// only outside production)") }
        let library = try await Library.require(code: libraryCode, on: app.db)
        let secret = OneTimeToken.make().token
        let sealed = try app.vault.seal(secret, context: secretContext)
        let now = app.clock.now()
        try await app.db.transaction { db in
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
}
