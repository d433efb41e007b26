import Crypto
import CryptoExtras
import Fluent
import Foundation
import JWTKit
import PersonalDataVault
import Vapor

/// The provider's signing keys, one current key per algorithm (ES256 for most clients, RS256 for a client
/// registered for it): the newest unretired key of an algorithm signs; `rotate` starts new keys and retires
/// the others, which stay in the JWKS until every ID token they signed has expired.
struct OIDCKeyRing {
    static let sealContext = "oidc.signing_key"
    /// NIST SP 800-57 and RFC 7518 §3.3 ask for at least 2048 bits.
    static let rsaKeySize = _RSA.Signing.KeySize.bits2048

    let database: any Database
    let vault: PersonalDataVault
    let cache: OIDCKeyCache
    /// How long an ID token lives: a retired key is published that much longer.
    let tokenLifetime: TimeInterval
    let now: Date

    /// The key that signs `algorithm` now, made on first use, as a key collection holding that key alone.
    func signer(for algorithm: OIDCSigningAlgorithm) async throws -> (kid: String, signer: JWTKeyCollection) {
        // The token endpoint's hot path: the newest kid is read from the database every few seconds, not per token.
        if let kid = await cache.currentKid(algorithm, at: now), let signer = await cache.signer(kid: kid) { return (kid, signer) }
        let row: OIDCSigningKey
        if let current = try await current(algorithm) {
            row = current
        } else {
            row = try Self.newKey(algorithm, vault: vault, at: now)
            try await row.create(on: database)
        }
        let signer: JWTKeyCollection
        if let cached = await cache.signer(kid: row.kid) {
            signer = cached
        } else {
            // Built once per key: opening the vault and parsing a PEM is not free, nor is adding a key to a collection.
            signer = try await Self.collection(of: row, privateKeyPEM: try vault.open(row.privateKeySealed, context: Self.sealContext))
            await cache.setSigner(signer, kid: row.kid)
        }
        await cache.setCurrentKid(row.kid, for: algorithm, at: now)
        return (row.kid, signer)
    }

    /// `payload` signed with the key that signs `algorithm` now, its `kid` in the header.
    func sign(_ payload: some JWTPayload, algorithm: OIDCSigningAlgorithm = .es256) async throws -> String {
        let (kid, signer) = try await signer(for: algorithm)
        return try await signer.sign(payload, kid: JWKIdentifier(string: kid))
    }

    /// New signing keys, one for ES256 and one for each other algorithm that has a key or a client; the others are
    /// retired now and published until their ID tokens have expired.
    @discardableResult
    func rotate() async throws -> [OIDCSigningKey] {
        let current = try await OIDCSigningKey.query(on: database).filter(\.$retiredAt == nil).all().map(\.algorithm)
        let wanted = Set(try await algorithmsInUse().map(\.rawValue) + current + [OIDCSigningAlgorithm.es256.rawValue])
        // Made before the transaction: an RSA key takes a moment, and SQLite would be locked for writing meanwhile.
        let keys = try OIDCSigningAlgorithm.allCases.filter { wanted.contains($0.rawValue) }.map { try Self.newKey($0, vault: vault, at: now) }
        try await database.transaction { db in
            try await OIDCSigningKey.query(on: db).filter(\.$retiredAt == nil).set(\.$retiredAt, to: now).update()
            for key in keys { try await key.create(on: db) }
        }
        await cache.forgetCurrentKids()
        return keys
    }

    /// The keys a relying party may meet in an ID token that has not expired.
    func published() async throws -> [OIDCSigningKey] {
        try await OIDCSigningKey.query(on: database).group(.or) {
            $0.filter(\.$retiredAt == nil).filter(\.$retiredAt > now.addingTimeInterval(-tokenLifetime))
        }.sort(\.$createdAt, .descending).all()
    }

    /// The JWKS document of `published()`. A relying party may read it before its first ID token, so the key of
    /// every algorithm an enabled client is registered for is made now if it does not exist yet.
    func jwks() async throws -> OIDCJWKS {
        for algorithm in try await algorithmsInUse() { _ = try await signer(for: algorithm) }
        return OIDCJWKS(keys: try await published().compactMap { row in
            switch OIDCSigningAlgorithm(rawValue: row.algorithm) {
            case .es256:
                guard let parameters = try? ES256PublicKey(pem: row.publicKeyPEM).parameters else { return nil }
                return .ec(kid: row.kid, x: parameters.x, y: parameters.y)
            case .rs256:
                guard let primitives = try? Insecure.RSA.PublicKey(pem: row.publicKeyPEM).getKeyPrimitives() else { return nil }
                return .rsa(kid: row.kid, n: primitives.modulus.base64URLEncodedString(), e: primitives.publicExponent.base64URLEncodedString())
            case nil:
                return nil
            }
        })
    }

    /// The public halves of `published()`, to check an ID token of ours that comes back (logout's `id_token_hint`).
    func verifier() async throws -> JWTKeyCollection {
        let keys = JWTKeyCollection()
        for row in try await published() {
            let kid = JWKIdentifier(string: row.kid)
            switch OIDCSigningAlgorithm(rawValue: row.algorithm) {
            case .es256: await keys.add(ecdsa: try ES256PublicKey(pem: row.publicKeyPEM), kid: kid)
            case .rs256: await keys.add(rsa: try Insecure.RSA.PublicKey(pem: row.publicKeyPEM), digestAlgorithm: .sha256, kid: kid)
            case nil: continue
            }
        }
        return keys
    }

    private func current(_ algorithm: OIDCSigningAlgorithm) async throws -> OIDCSigningKey? {
        try await OIDCSigningKey.query(on: database).filter(\.$retiredAt == nil).filter(\.$algorithm == algorithm.rawValue)
            .sort(\.$createdAt, .descending).first()
    }

    /// The algorithms enabled clients are registered for.
    private func algorithmsInUse() async throws -> [OIDCSigningAlgorithm] {
        try await OIDCClient.query(on: database).filter(\.$disabledAt == nil).unique().all(\.$idTokenAlgorithm)
    }

    /// A new key of `algorithm`, its private half sealed; not saved yet.
    private static func newKey(_ algorithm: OIDCSigningAlgorithm, vault: PersonalDataVault, at now: Date) throws -> OIDCSigningKey {
        let (privatePEM, publicPEM): (String, String)
        switch algorithm {
        case .es256:
            let key = ES256PrivateKey()
            (privatePEM, publicPEM) = (key.pemRepresentation, key.publicKey.pemRepresentation)
        case .rs256:
            let key = try Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: rsaKeySize))
            (privatePEM, publicPEM) = (key.pemRepresentation, key.publicKey.pemRepresentation)
        }
        let row = OIDCSigningKey()
        row.kid = OneTimeToken.hex(SHA256.hash(data: Data(publicPEM.utf8)).prefix(8))
        row.algorithm = algorithm.rawValue
        row.privateKeySealed = try vault.seal(privatePEM, context: sealContext)
        row.publicKeyPEM = publicPEM
        row.createdAt = now
        return row
    }

    /// A key collection holding `row`'s private key alone, ready to sign with its algorithm.
    private static func collection(of row: OIDCSigningKey, privateKeyPEM pem: String) async throws -> JWTKeyCollection {
        let kid = JWKIdentifier(string: row.kid)
        switch OIDCSigningAlgorithm(rawValue: row.algorithm) {
        case .es256: return await JWTKeyCollection().add(ecdsa: try ES256PrivateKey(pem: pem), kid: kid)
        case .rs256: return await JWTKeyCollection().add(rsa: try Insecure.RSA.PrivateKey(pem: pem), digestAlgorithm: .sha256, kid: kid)
        case nil: throw Abort(.internalServerError, reason: "signing key \(row.kid) has an unknown algorithm \(row.algorithm)")
        }
    }
}
