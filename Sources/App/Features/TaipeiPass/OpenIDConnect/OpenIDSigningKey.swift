import Foundation
import JWTKit
import NIOConcurrencyHelpers
import Vapor

/// One public key from the provider's JWKS that may sign ID tokens, with the one algorithm it is used with.
struct OpenIDSigningKey: Sendable {
    enum Algorithm: String, Sendable, CaseIterable {
        case rs256 = "RS256"
        case es256 = "ES256"
    }

    enum Material: Sendable {
        case rsa(JWTKit.Insecure.RSA.PublicKey)
        case ecdsaP256(ES256PublicKey)
    }

    let keyID: String?
    let algorithm: Algorithm
    let material: Material

    /// A JWKS member as JSON (RFC 7517). Keys for encryption, other curves or other algorithms are skipped.
    struct JWK: Decodable {
        let kty: String
        let kid: String?
        let use: String?
        let alg: String?
        let n: String?
        let e: String?
        let crv: String?
        let x: String?
        let y: String?
    }

    /// The keys of a JWKS document that can verify RS256 or ES256 signatures.
    static func keys(fromJWKS data: Data) throws -> [OpenIDSigningKey] {
        struct JWKS: Decodable { let keys: [JWK] }
        let set = try JSONDecoder().decode(JWKS.self, from: data)
        return set.keys.compactMap { jwk in
            guard jwk.use == nil || jwk.use == "sig" else { return nil }
            switch jwk.kty {
            case "RSA":
                guard jwk.alg == nil || jwk.alg == Algorithm.rs256.rawValue, let n = jwk.n, let e = jwk.e,
                      let key = try? JWTKit.Insecure.RSA.PublicKey(modulus: n, exponent: e)
                else { return nil }
                return OpenIDSigningKey(keyID: jwk.kid, algorithm: .rs256, material: .rsa(key))
            case "EC":
                guard jwk.alg == nil || jwk.alg == Algorithm.es256.rawValue, jwk.crv == "P-256", let x = jwk.x, let y = jwk.y,
                      let key = try? ES256PublicKey(parameters: (x, y))
                else { return nil }
                return OpenIDSigningKey(keyID: jwk.kid, algorithm: .es256, material: .ecdsaP256(key))
            default:
                return nil
            }
        }
    }
}
