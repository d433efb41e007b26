import Fluent
import Foundation

/// A one-time password-reset link sent to a reader's email: only the token's SHA-256 is stored.
final class PasswordResetToken: Model, @unchecked Sendable {
    static let schema = "password_reset_tokens"

    @ID(key: .id) var id: UUID?
    @Parent(key: "patron_id") var patron: Patron
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?

    init() {}

    init(patronID: UUID, tokenHash: String, expiresAt: Date) {
        self.$patron.id = patronID
        self.tokenHash = tokenHash
        self.expiresAt = expiresAt
    }
}
