import Foundation

/// A newly issued one-time link: the token goes into the emailed link only; the record stores `hash`
/// and `expiresAt`.
struct IssuedOneTimeLink {
    let token: String
    let hash: String
    let expiresAt: Date
}
