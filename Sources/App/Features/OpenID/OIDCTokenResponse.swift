import Vapor

/// The token endpoint's answer (RFC 6749 §5.1, OIDC Core §3.1.3.3).
struct OIDCTokenResponse: Content {
    let accessToken: String
    var tokenType = "Bearer"
    let expiresIn: Int
    let refreshToken: String
    let scope: String
    let idToken: String?

    enum CodingKeys: String, CodingKey {
        case scope
        case accessToken = "access_token"
        case tokenType = "token_type"
        case expiresIn = "expires_in"
        case refreshToken = "refresh_token"
        case idToken = "id_token"
    }
}
