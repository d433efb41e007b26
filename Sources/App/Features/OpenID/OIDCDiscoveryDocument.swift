import Vapor

/// `/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 §3).
struct OIDCDiscoveryDocument: Content {
    let issuer: String
    let authorizationEndpoint: String
    let tokenEndpoint: String
    let userinfoEndpoint: String
    let jwksURI: String
    let revocationEndpoint: String
    let introspectionEndpoint: String
    let endSessionEndpoint: String
    var responseTypesSupported = ["code"]
    var responseModesSupported = ["query"]
    var grantTypesSupported = ["authorization_code", "refresh_token"]
    var subjectTypesSupported = ["pairwise"]
    var idTokenSigningAlgValuesSupported = OIDCSigningAlgorithm.allCases.map(\.rawValue)
    var scopesSupported = OIDCScope.allCases.map(\.rawValue)
    var claimsSupported = ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "azp", "name", "email", "card",
                           "age_over_18", "age_bracket", "birthdate"]
    var tokenEndpointAuthMethodsSupported = ["client_secret_basic", "client_secret_post", "none"]
    var revocationEndpointAuthMethodsSupported = ["client_secret_basic", "client_secret_post", "none"]
    var introspectionEndpointAuthMethodsSupported = ["client_secret_basic", "client_secret_post"]
    var codeChallengeMethodsSupported = ["S256"]
    var promptValuesSupported = ["login", "consent"]
    var authorizationResponseIssParameterSupported = true

    init(issuer: String) {
        self.issuer = issuer
        authorizationEndpoint = issuer + SiteURL.oidcAuthorize.path
        tokenEndpoint = issuer + SiteURL.oidcToken.path
        userinfoEndpoint = issuer + SiteURL.oidcUserInfo.path
        jwksURI = issuer + SiteURL.oidcJWKS.path
        revocationEndpoint = issuer + SiteURL.oidcRevoke.path
        introspectionEndpoint = issuer + SiteURL.oidcIntrospect.path
        endSessionEndpoint = issuer + SiteURL.oidcLogout.path
    }

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case userinfoEndpoint = "userinfo_endpoint"
        case jwksURI = "jwks_uri"
        case revocationEndpoint = "revocation_endpoint"
        case introspectionEndpoint = "introspection_endpoint"
        case endSessionEndpoint = "end_session_endpoint"
        case responseTypesSupported = "response_types_supported"
        case responseModesSupported = "response_modes_supported"
        case grantTypesSupported = "grant_types_supported"
        case subjectTypesSupported = "subject_types_supported"
        case idTokenSigningAlgValuesSupported = "id_token_signing_alg_values_supported"
        case scopesSupported = "scopes_supported"
        case claimsSupported = "claims_supported"
        case tokenEndpointAuthMethodsSupported = "token_endpoint_auth_methods_supported"
        case revocationEndpointAuthMethodsSupported = "revocation_endpoint_auth_methods_supported"
        case introspectionEndpointAuthMethodsSupported = "introspection_endpoint_auth_methods_supported"
        case codeChallengeMethodsSupported = "code_challenge_methods_supported"
        case promptValuesSupported = "prompt_values_supported"
        case authorizationResponseIssParameterSupported = "authorization_response_iss_parameter_supported"
    }
}
