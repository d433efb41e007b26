import Fluent
import Foundation

/// The one-time link with which the holder of a card made for them (a group digital card) sets their
/// own first password: no password is ever in a file or an email. Only the token's SHA-256 is stored.
final class PatronActivationToken: Model, @unchecked Sendable {
    static let schema = "patron_activation_tokens"

    @ID(key: .id) var id: UUID?
    @Parent(key: "patron_id") var patron: Patron
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?

    init() {}
}
