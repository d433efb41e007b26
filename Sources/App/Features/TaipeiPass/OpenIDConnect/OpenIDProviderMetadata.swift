import Foundation
import JWTKit
import NIOConcurrencyHelpers
import Vapor

/// What OneCard needs from a provider's discovery document (OpenID Connect Discovery 1.0, section 3).
struct OpenIDProviderMetadata: Codable, Sendable, Equatable {
    let issuer: String
    let authorizationEndpoint: String
    let tokenEndpoint: String
    let jwksURI: String
    let responseTypesSupported: [String]?
    let codeChallengeMethodsSupported: [String]?
    let idTokenSigningAlgValuesSupported: [String]?
    let tokenEndpointAuthMethodsSupported: [String]?

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case jwksURI = "jwks_uri"
        case responseTypesSupported = "response_types_supported"
        case codeChallengeMethodsSupported = "code_challenge_methods_supported"
        case idTokenSigningAlgValuesSupported = "id_token_signing_alg_values_supported"
        case tokenEndpointAuthMethodsSupported = "token_endpoint_auth_methods_supported"
    }
}
