import Vapor

/// A right card and password on a card in good standing: the card's status, and no personal data (no
/// name, email, birth date, card or ID number). A vendor that needs a profile asks the reader through
/// OpenID Connect, where the reader consents to each claim.
struct PatronAuthenticationDTO: Content, Equatable {
    /// Pairwise: the same card holder has another `patron` at every other client (`PairwiseIdentifier`), so
    /// vendors cannot join their records; stable for this client.
    let patron: String
    let cardKind: String
    let homeLibrary: String
    let standing: String
    /// 有效期限 (`YYYY-MM-DD`), when the card has one.
    let validUntil: String?
    let mayBorrow: Bool
}
