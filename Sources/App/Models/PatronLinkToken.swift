import Fluent
import Foundation

/// Why a reader was emailed a one-time link. Each purpose keeps its links in a table of its own, with the
/// same columns, so one model serves them all.
protocol PatronLinkPurpose: Sendable {
    static var schema: String { get }
}

/// A one-time link emailed to a reader: a password reset (`PasswordResetToken`) or the first password of
/// a card made for them (`PatronActivationToken`). Only the token's SHA-256 is stored.
final class PatronLinkToken<Purpose: PatronLinkPurpose>: Model, @unchecked Sendable {
    static var schema: String { Purpose.schema }

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
