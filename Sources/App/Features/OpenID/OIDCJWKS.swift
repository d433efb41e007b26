import Vapor

/// The provider's public keys (RFC 7517), served at the JWKS address of the discovery document: EC P-256 keys
/// for ES256 and RSA keys for RS256 (RFC 7518 §6.2, §6.3).
struct OIDCJWKS: Content {
    struct Key: Content {
        let kty: String
        var use = "sig"
        let alg: String
        let kid: String
        var crv: String? = nil
        var x: String? = nil
        var y: String? = nil
        var n: String? = nil
        var e: String? = nil

        static func ec(kid: String, x: String, y: String) -> Key {
            Key(kty: "EC", alg: OIDCSigningAlgorithm.es256.rawValue, kid: kid, crv: "P-256", x: x, y: y)
        }

        static func rsa(kid: String, n: String, e: String) -> Key {
            Key(kty: "RSA", alg: OIDCSigningAlgorithm.rs256.rawValue, kid: kid, n: n, e: e)
        }
    }

    let keys: [Key]
}
