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
    static func configure(libraryCode: String, url: String, allowsPlainHTTP: Bool, database: any Database,
                          vault: PersonalDataVault, now: Date) async throws -> String {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), parsed.host != nil,
              scheme == "https" || (scheme == "http" && allowsPlainHTTP)
        else { throw CommandInputError(description: "--url must be an https:// address (http:// only outside production)") }
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
}
