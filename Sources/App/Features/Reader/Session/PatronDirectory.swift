import Fluent
import Foundation
import OneCardDomain
import PersonalDataVault

/// Finds a card holder by what they type or the scanner reads: a card number, an ID number, or a bound
/// EasyCard/iPASS number. Used by reader sign-in and by SIP2.
struct PatronDirectory {
    let vault: PersonalDataVault
    let database: any Database

    /// What a typed identifier is looked up by: the column of `patrons` and its value.
    enum LookupKey: Equatable {
        case cardNumber(String)
        /// The blind index of an ID number, never the number itself.
        case idNumberIndex(String)
        /// The blind index of a bound EasyCard/iPASS number.
        case easyCardIndex(String)

        var column: String {
            switch self {
            case .cardNumber: "card_number"
            case .idNumberIndex: "id_number_index"
            case .easyCardIndex: "easy_card_index"
            }
        }

        var value: String {
            switch self {
            case .cardNumber(let value), .idNumberIndex(let value), .easyCardIndex(let value): value
            }
        }
    }

    /// Active card holders only: a pending application has no card to sign in with yet.
    /// `acceptAlternateIdentifiers` false (a SIP2 account without `--alternate-ids`) takes card numbers
    /// only, so a vendor cannot use the service to test whether someone's ID number holds a card.
    func activePatron(identifier raw: String, acceptAlternateIdentifiers: Bool = true) async throws -> Patron? {
        guard let key = lookupKey(identifier: raw, acceptAlternateIdentifiers: acceptAlternateIdentifiers) else { return nil }
        return try await Patron.query(on: database).filter(FieldKey(stringLiteral: key.column), .equal, key.value)
            .filter(\.$status == .active).first()
    }

    /// What `activePatron` looks `raw` up by, or nil when it can name no card: a card number as itself,
    /// an ID number or EasyCard/iPASS number (only with `acceptAlternateIdentifiers`) as its blind index.
    /// SIP2 puts the key into its one statement (`SIP2PatronLookup`).
    func lookupKey(identifier raw: String, acceptAlternateIdentifiers: Bool = true) -> LookupKey? {
        let text = IdentityNumber.normalize(raw)
        guard !text.isEmpty else { return nil }
        if case .success(let card) = CardNumber.parse(text) { return .cardNumber(card.value) }
        if acceptAlternateIdentifiers, case .success(let identity) = IdentityNumber.parse(text) {
            return .idNumberIndex(vault.blindIndex(identity.value, context: CardApplicationService.idNumberContext))
        }
        if acceptAlternateIdentifiers, let easyCard = CardActivationService.normalizeEasyCard(text) {
            return .easyCardIndex(vault.blindIndex(easyCard, context: CardActivationService.easyCardContext))
        }
        return nil
    }

    /// What was typed, normalized the way `activePatron` reads it: a card number as itself, an ID number
    /// or EasyCard/iPASS number as its blind index (never in the clear), anything else as the text. Sign-in
    /// throttles an identifier that finds no card by this key (`CredentialCheck.bucket(typed:)`), so it
    /// collects the same delay and lock as a real card and the answer's timing does not tell the two apart.
    func typedKey(identifier raw: String) -> String {
        switch lookupKey(identifier: raw) {
        case .cardNumber(let card): "card:\(card)"
        case .idNumberIndex(let index): "id:\(index)"
        case .easyCardIndex(let index): "easycard:\(index)"
        case nil: "text:\(IdentityNumber.normalize(raw))"
        }
    }
}
