import Crypto
import Fluent
import Foundation
import Vapor

/// The JSON a partner receives.
struct PartnerEventBody: Codable, Sendable {
    struct Card: Codable, Sendable {
        let cardNumber: String?
        let status: String
        /// `physical`, or `digital` (e-resources only).
        let kind: String
        let homeLibrary: String
        /// `good`, `expired` or `suspended` at delivery, for an active card; absent otherwise.
        let standing: String?
        /// 有效期限 (`YYYY-MM-DD`, the last valid day), when the card has one.
        let validUntil: String?
        /// As the partner API answers them at delivery: `valid` only in good standing (not suspended, not
        /// past 有效期限); `mayBorrow` only for a valid physical card.
        let valid: Bool
        let mayBorrow: Bool
    }

    struct Person: Codable, Sendable {
        let name: String
        let birthDate: String?
        let email: String?
        let mobile: String?
    }

    /// Also sent as the `Idempotency-Key` header: the same event is delivered with the same id.
    let id: UUID
    let type: PartnerEventType
    let occurredAt: Date
    /// Increases with every event of the same reader and partner; a partner may ignore an event whose
    /// sequence is lower than one it already applied.
    let sequence: Int
    let partner: String
    let card: Card
    /// Only while the reader's link with this partner is active.
    let person: Person?
}
