/// An OAuth 2.0 / OpenID Connect error, answered in the protocol's own words (`error`, `error_description`)
/// at the token, revocation, introspection and userinfo endpoints, or on the redirect back to the client.
struct OIDCProtocolError: UserFacingError, Equatable {
    /// RFC 6749 §5.2 / OIDC Core §3.1.2.6 (`invalid_grant`, `invalid_client`, `access_denied`, …).
    let code: String
    /// For the client's developer, in English; never a reader's data.
    let description: String

    var messageKey: String { "oidc.error.protocol" }

    static func invalidRequest(_ description: String) -> Self { .init(code: "invalid_request", description: description) }
    static func invalidClient(_ description: String = "client authentication failed") -> Self {
        .init(code: "invalid_client", description: description)
    }
    static func invalidGrant(_ description: String) -> Self { .init(code: "invalid_grant", description: description) }
    static func unsupportedGrantType() -> Self { .init(code: "unsupported_grant_type", description: "use authorization_code or refresh_token") }
    static func invalidScope(_ description: String) -> Self { .init(code: "invalid_scope", description: description) }
    static func invalidToken() -> Self { .init(code: "invalid_token", description: "the access token is not active") }
    static func accessDenied(_ description: String) -> Self { .init(code: "access_denied", description: description) }
}
