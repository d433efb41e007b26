import Crypto
import Fluent
import Foundation
import JWTKit
import PersonalDataVault

/// The provider's ES256 signing keys: the newest unretired key signs; `rotate` starts a new one and retires
/// the others, which stay in the JWKS until every ID token they signed has expired.
struct OIDCKeyRing {
    static let sealContext = "oidc.signing_key"

    let database: any Database
    let vault: PersonalDataVault
    let cache: OIDCKeyCache
    /// How long an ID token lives: a retired key is published that much longer.
    let tokenLifetime: TimeInterval
    let now: Date

    /// The key that signs now, made on first use.
    func signingKey() async throws -> (kid: String, key: ES256PrivateKey) {
        // The token endpoint's hot path: the newest kid is read from the database every few seconds, not per token.
        if let kid = await cache.currentKid(at: now), let key = await cache.cached(kid: kid) { return (kid, key) }
        let row: OIDCSigningKey
        if let current = try await OIDCSigningKey.query(on: database).filter(\.$retiredAt == nil).sort(\.$createdAt, .descending).first() {
            row = current
        } else {
            row = try await create(on: database)
        }
        let key = try await cache.key(kid: row.kid) { try ES256PrivateKey(pem: try vault.open(row.privateKeySealed, context: Self.sealContext)) }
        await cache.setCurrentKid(row.kid, at: now)
        return (row.kid, key)
    }

    /// `payload` signed with the key that signs now, its `kid` in the header.
    func sign(_ payload: some JWTPayload) async throws -> String {
        let (kid, key) = try await signingKey()
        let signer: JWTKeyCollection
        if let cached = await cache.signer(kid: kid) {
            signer = cached
        } else {
            // Built once per key: a key collection is an actor, and adding a key to it is not free.
            signer = await JWTKeyCollection().add(ecdsa: key, kid: JWKIdentifier(string: kid))
            await cache.setSigner(signer, kid: kid)
        }
        return try await signer.sign(payload, kid: JWKIdentifier(string: kid))
    }

    /// A new signing key; the others are retired now and published until their ID tokens have expired.
    @discardableResult
    func rotate() async throws -> OIDCSigningKey {
        let key = try await database.transaction { db in
            try await OIDCSigningKey.query(on: db).filter(\.$retiredAt == nil).set(\.$retiredAt, to: now).update()
            return try await create(on: db)
        }
        await cache.forgetCurrentKid()
        return key
    }

    /// The keys a relying party may meet in an ID token that has not expired.
    func published() async throws -> [OIDCSigningKey] {
        try await OIDCSigningKey.query(on: database).group(.or) {
            $0.filter(\.$retiredAt == nil).filter(\.$retiredAt > now.addingTimeInterval(-tokenLifetime))
        }.sort(\.$createdAt, .descending).all()
    }

    /// The JWKS document of `published()`.
    func jwks() async throws -> OIDCJWKS {
        OIDCJWKS(keys: try await published().compactMap { row in
            guard let parameters = try? ES256PublicKey(pem: row.publicKeyPEM).parameters else { return nil }
            return .init(kid: row.kid, x: parameters.x, y: parameters.y)
        })
    }

    private func create(on db: any Database) async throws -> OIDCSigningKey {
        let key = ES256PrivateKey()
        let row = OIDCSigningKey()
        row.kid = OneTimeToken.hex(SHA256.hash(data: Data(key.publicKey.pemRepresentation.utf8)).prefix(8))
        row.algorithm = "ES256"
        row.privateKeySealed = try vault.seal(key.pemRepresentation, context: Self.sealContext)
        row.publicKeyPEM = key.publicKey.pemRepresentation
        row.createdAt = now
        try await row.create(on: db)
        return row
    }
}
