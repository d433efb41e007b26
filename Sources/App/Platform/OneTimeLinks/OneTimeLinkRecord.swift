import Fluent
import Foundation

/// A model that holds one-time link tokens (only their SHA-256): a password reset, a card activation
/// link, a staff invitation, a group contact's sign-in link. Each table keeps its own columns; this
/// says where the hash is and how a used link is marked, so `OneTimeLinks` can find and redeem any of them.
protocol OneTimeLinkRecord: Model where IDValue == UUID {
    /// The column holding the token's SHA-256.
    static var tokenHashColumn: FieldKey { get }
    /// How redeeming marks the link as used.
    static var consumption: OneTimeLinkConsumption { get }
    /// The stored hash; nil when the record holds no link.
    var linkTokenHash: String? { get }
    /// When the link stops working; nil when the record holds no link.
    var linkExpiresAt: Date? { get }
}

/// How a redeemed link is marked, so it works once.
enum OneTimeLinkConsumption {
    /// The row stays, with this column set to the time of use (reset, activation and contact links).
    case stampsUsedAt(FieldKey)
    /// The hash and these columns are cleared (the staff invitation, which lives on the staff row).
    case clearsHash(alsoClearing: [FieldKey])
}
