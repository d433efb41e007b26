import Vapor

/// The provider's public keys (RFC 7517), served at the JWKS address of the discovery document.
struct OIDCJWKS: Content {
    struct Key: Content {
        var kty = "EC"
        var crv = "P-256"
        var use = "sig"
        var alg = "ES256"
        let kid: String
        let x: String
        let y: String

        init(kid: String, x: String, y: String) {
            self.kid = kid
            self.x = x
            self.y = y
        }
    }

    let keys: [Key]
}
