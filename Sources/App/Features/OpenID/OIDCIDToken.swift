import JWTKit

/// The ID token's claims (OIDC Core §2). The reader's other claims are at the userinfo endpoint.
struct OIDCIDToken: JWTPayload {
    let iss: String
    let sub: String
    let aud: String
    let azp: String
    let exp: Int
    let iat: Int
    let authTime: Int
    let nonce: String?
    /// Left half of the access token's SHA-256, base64url (§3.1.3.6).
    let atHash: String

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, azp, exp, iat, nonce
        case authTime = "auth_time"
        case atHash = "at_hash"
    }

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
