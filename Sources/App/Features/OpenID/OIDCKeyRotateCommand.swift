import Vapor

/// Starts a new ES256 signing key. The old one stops signing now and stays in the JWKS until the ID tokens
/// it signed have expired (`OIDCKeyRing`).
struct OIDCKeyRotateCommand: AsyncCommand {
    struct Signature: CommandSignature {}

    var help: String { "Starts a new ID token signing key; the old one stays published until its tokens expire" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let now = app.clock.now()
        let key = try await OIDCKeyRing(database: app.db, vault: app.vault, cache: app.oidcKeyCache,
                                        tokenLifetime: OIDCGrants.accessTokenLifetime, now: now).rotate()
        try await AuditTrail.record("oidc.key_rotated", by: .commandLine, subject: ("oidc_signing_key", key.kid), at: now, on: app.db)
        context.console.print("kid: \(key.kid)")
    }
}
