import Fluent
import OneCardDomain
import Vapor

/// A card's status as a partner sees it: no name, no ID number, no contact data.
struct PartnerPatronDTO: Content {
    let cardNumber: String
    let status: String
    let valid: Bool
    let cardKind: String
    let mayBorrow: Bool
    let homeLibrary: String
    /// For an active card: `good`, `expired` (past `validUntil`) or `suspended` (停權 at a desk); absent otherwise.
    let standing: String?
    /// 有效期限, the last valid day (`YYYY-MM-DD`), when the card has one.
    let validUntil: String?
}
