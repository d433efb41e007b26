import Foundation
import JWTKit

/// Signing keys already opened from the vault and parsed, by `kid`, so the token endpoint does not open
/// the vault and parse a PEM on every request. A key's private half never changes under its `kid`.
actor OIDCKeyCache {
    /// How long the newest key's `kid` is trusted before the database is asked again. A rotation by another
    /// process (`onecard oidc key rotate`) is seen this late at most; the retired key stays published far longer.
    static let currentKeyLifetime: TimeInterval = 5

    private var signers: [String: JWTKeyCollection] = [:]
    private var current: [OIDCSigningAlgorithm: (kid: String, until: Date)] = [:]

    /// The `kid` of `algorithm`'s signing key as last read, unless it is older than `currentKeyLifetime` at `now`.
    func currentKid(_ algorithm: OIDCSigningAlgorithm, at now: Date) -> String? {
        guard let current = current[algorithm], current.until > now,
              now > current.until.addingTimeInterval(-2 * Self.currentKeyLifetime) else { return nil }
        return current.kid
    }

    func setCurrentKid(_ kid: String, for algorithm: OIDCSigningAlgorithm, at now: Date) {
        current[algorithm] = (kid, now.addingTimeInterval(Self.currentKeyLifetime))
    }

    /// Forgets the current `kid`s (after a rotation in this process).
    func forgetCurrentKids() {
        current = [:]
    }

    /// A key collection holding only this key, ready to sign.
    func signer(kid: String) -> JWTKeyCollection? { signers[kid] }

    func setSigner(_ signer: JWTKeyCollection, kid: String) {
        signers[kid] = signer
    }
}
