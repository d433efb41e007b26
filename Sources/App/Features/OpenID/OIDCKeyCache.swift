import JWTKit

/// Signing keys already opened from the vault and parsed, by `kid`, so the token endpoint does not open
/// the vault and parse a PEM on every request. A key's private half never changes under its `kid`.
actor OIDCKeyCache {
    private var keys: [String: ES256PrivateKey] = [:]

    func key(kid: String, open: () throws -> ES256PrivateKey) rethrows -> ES256PrivateKey {
        if let key = keys[kid] { return key }
        let key = try open()
        keys[kid] = key
        return key
    }
}
