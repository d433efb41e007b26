import Foundation
import JWTKit

/// Validates an ID token from the token endpoint as OpenID Connect Core 1.0 section 3.1.3.7 asks:
/// an RS256 or ES256 signature by one of the provider's keys (never `none`, never an HMAC keyed with
/// something public), `iss` the configured issuer, `aud` exactly this client (with `azp` when several),
/// `exp`/`iat`/`nbf` against OneCard's clock with a small skew, and the `nonce` of this session's request.
struct IDTokenVerifier {
    typealias KeyLookup = @Sendable (_ keyID: String?, _ algorithm: OpenIDSigningKey.Algorithm) async throws -> OpenIDSigningKey?

    let issuer: String
    let clientID: String
    /// How far the provider's clock may be from ours.
    var allowedSkew: TimeInterval = 60

    struct Header: Decodable {
        let alg: String?
        let kid: String?
        let crit: [String]?
    }

    func verify(_ token: String, nonce: String, now: Date, keys: KeyLookup) async throws -> IDTokenClaims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Data(base64URLEncoded: String(parts[0])),
              let header = try? JSONDecoder().decode(Header.self, from: headerData)
        else { throw IDTokenRejection.malformed }
        // Extensions we do not understand must not be ignored (RFC 7515, section 4.1.11).
        guard header.crit == nil, let name = header.alg, let algorithm = OpenIDSigningKey.Algorithm(rawValue: name) else {
            throw IDTokenRejection.unsupportedAlgorithm
        }
        guard let key = try await keys(header.kid, algorithm) else { throw IDTokenRejection.unknownKey }

        // A collection holding only this key with only its algorithm: nothing in the token can choose another.
        let collection = JWTKeyCollection()
        switch key.material {
        case .rsa(let publicKey): await collection.add(rsa: publicKey, digestAlgorithm: .sha256)
        case .ecdsaP256(let publicKey): await collection.add(ecdsa: publicKey)
        }
        let claims: IDTokenClaims
        do {
            claims = try await collection.verify(token, as: IDTokenClaims.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw IDTokenRejection.badSignature
        } catch {
            throw IDTokenRejection.malformed
        }

        guard claims.iss == issuer else { throw IDTokenRejection.wrongIssuer }
        // Every audience must be us: a token also meant for another client is not ours to accept.
        guard claims.aud.value.contains(clientID), claims.aud.value.allSatisfy({ $0 == clientID }),
              claims.azp == nil || claims.azp == clientID
        else { throw IDTokenRejection.wrongAudience }
        let seconds = now.timeIntervalSince1970
        guard seconds < claims.exp + allowedSkew else { throw IDTokenRejection.expired }
        guard claims.iat <= seconds + allowedSkew, (claims.nbf ?? 0) <= seconds + allowedSkew else {
            throw IDTokenRejection.issuedInFuture
        }
        guard let tokenNonce = claims.nonce, Self.constantTimeEqual(tokenNonce, nonce) else {
            throw IDTokenRejection.nonceMismatch
        }
        guard !claims.sub.isEmpty, claims.sub.utf8.count <= 255 else { throw IDTokenRejection.missingSubject }
        return claims
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        CSRFMiddleware.constantTimeEqual(a, b)
    }
}
