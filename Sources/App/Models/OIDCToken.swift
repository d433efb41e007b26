import Fluent
import Foundation

/// An access or refresh token, stored as its SHA-256 only. Tokens of one grant (one authorization code
/// and the refreshes after it) share `grantID`, so reuse of a rotated refresh token revokes the family.
final class OIDCToken: Model, @unchecked Sendable {
    static let schema = "oidc_tokens"

    enum Kind: String, Codable, Sendable {
        case access
        case refresh
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @Enum(key: "kind") var kind: Kind
    @Parent(key: "client_id") var client: OIDCClient
    @Parent(key: "patron_id") var patron: Patron
    @Field(key: "grant_id") var grantID: UUID
    @Field(key: "scopes") var scopesText: String
    @Field(key: "issued_at") var issuedAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    /// A refresh token that has been exchanged once: a second use is reuse.
    @OptionalField(key: "used_at") var usedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}

    var scopes: [String] { scopesText.split(separator: " ").map(String.init) }

    func isActive(at now: Date) -> Bool { revokedAt == nil && usedAt == nil && expiresAt > now }
}
