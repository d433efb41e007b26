import Foundation
import JWTKit

/// The claims of an ID token that OneCard reads (OpenID Connect Core 1.0, section 2).
struct IDTokenClaims: JWTPayload, Equatable {
    let iss: String
    let sub: String
    let aud: AudienceClaim
    let exp: Double
    let iat: Double
    let nbf: Double?
    let nonce: String?
    let azp: String?

    /// The claims are checked by `IDTokenVerifier`, against the clock OneCard runs on.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
