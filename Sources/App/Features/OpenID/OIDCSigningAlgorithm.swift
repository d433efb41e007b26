/// How a client's ID tokens are signed (its `id_token_signed_response_alg`, OpenID Connect Dynamic Client
/// Registration §2). ES256 unless the relying party can only verify RS256: each has its own current key.
enum OIDCSigningAlgorithm: String, CaseIterable, Codable, Sendable {
    case es256 = "ES256"
    case rs256 = "RS256"
}
