import Fluent
import Foundation

/// An authorization code: lives 60 s, works once. Its id names the grant: every token issued from it
/// carries it, so a replayed code revokes them all.
final class OIDCAuthorizationCode: Model, @unchecked Sendable {
    static let schema = "oidc_authorization_codes"

    @ID(key: .id) var id: UUID?
    /// SHA-256 of the code; unique.
    @Field(key: "code_hash") var codeHash: String
    @Parent(key: "client_id") var client: OIDCClient
    @Parent(key: "patron_id") var patron: Patron
    @Field(key: "redirect_uri") var redirectURI: String
    @Field(key: "scopes") var scopesText: String
    @OptionalField(key: "nonce") var nonce: String?
    /// PKCE S256 challenge, when the client sent one.
    @OptionalField(key: "code_challenge") var codeChallenge: String?
    @Field(key: "auth_time") var authTime: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?

    init() {}
}
