import Vapor

/// RFC 7662's answer: `active: false` and nothing else for a token that is not active or not the asker's.
struct OIDCIntrospection: Content {
    let active: Bool
    var scope: String? = nil
    var clientID: String? = nil
    var sub: String? = nil
    var tokenType: String? = nil
    var exp: Int? = nil
    var iat: Int? = nil
    var iss: String? = nil
    var aud: String? = nil

    enum CodingKeys: String, CodingKey {
        case active, scope, sub, exp, iat, iss, aud
        case clientID = "client_id"
        case tokenType = "token_type"
    }
}
