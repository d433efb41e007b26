import Vapor

/// Starts new ID token signing keys (ES256, and RS256 once a client is registered for it). The old ones stop
/// signing now and stay in the JWKS until the ID tokens they signed have expired (`OIDCKeyRing`).
struct OIDCKeyRotateCommand: AsyncCommand {
    struct Signature: CommandSignature {}

    var help: String { "Starts new ID token signing keys; the old ones stay published until their tokens expire" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let now = app.clock.now()
        let keys = try await OIDCKeyRing(database: app.db, vault: app.vault, cache: app.oidcKeyCache,
                                         tokenLifetime: OIDCGrants.accessTokenLifetime, now: now).rotate()
        for key in keys {
            try await AuditTrail.record("oidc.key_rotated", by: .commandLine, subject: ("oidc_signing_key", key.kid),
                                        details: ["algorithm": key.algorithm], at: now, on: app.db)
            context.console.print("kid: \(key.kid) (\(key.algorithm))")
        }
    }
}
