import Fluent
import Foundation
import OneCardDomain
import PersonalDataVault

/// Finds a card holder by what they type or the scanner reads: a card number, an ID number, or a bound
/// EasyCard/iPASS number. Used by reader sign-in and by SIP2.
struct PatronDirectory {
    let vault: PersonalDataVault
    let database: any Database

    /// Active card holders only: a pending application has no card to sign in with yet.
    /// `acceptAlternateIdentifiers` false (a SIP2 account without `--alternate-ids`) takes card numbers
    /// only, so a vendor cannot use the service to test whether someone's ID number holds a card.
    func activePatron(identifier raw: String, acceptAlternateIdentifiers: Bool = true) async throws -> Patron? {
        let text = IdentityNumber.normalize(raw)
        guard !text.isEmpty else { return nil }
        if case .success(let card) = CardNumber.parse(text) {
            return try await Patron.query(on: database).filter(\.$cardNumber == card.value).filter(\.$status == .active).first()
        }
        if acceptAlternateIdentifiers, case .success(let identity) = IdentityNumber.parse(text) {
            let index = vault.blindIndex(identity.value, context: CardApplicationService.idNumberContext)
            return try await Patron.query(on: database).filter(\.$idNumberIndex == index).filter(\.$status == .active).first()
        }
        if acceptAlternateIdentifiers, let easyCard = CardActivationService.normalizeEasyCard(text) {
            let index = vault.blindIndex(easyCard, context: CardActivationService.easyCardContext)
            return try await Patron.query(on: database).filter(\.$easyCardIndex == index).filter(\.$status == .active).first()
        }
        return nil
    }

    /// What was typed, normalized the way `activePatron` reads it: a card number as itself, an ID number
    /// or EasyCard/iPASS number as its blind index (never in the clear), anything else as the text. Sign-in
    /// throttles an identifier that finds no card by this key (`CredentialCheck.bucket(typed:)`), so it
    /// collects the same delay and lock as a real card and the answer's timing does not tell the two apart.
    func typedKey(identifier raw: String) -> String {
        let text = IdentityNumber.normalize(raw)
        if case .success(let card) = CardNumber.parse(text) { return "card:\(card.value)" }
        if case .success(let identity) = IdentityNumber.parse(text) {
            return "id:\(vault.blindIndex(identity.value, context: CardApplicationService.idNumberContext))"
        }
        if let easyCard = CardActivationService.normalizeEasyCard(text) {
            return "easycard:\(vault.blindIndex(easyCard, context: CardActivationService.easyCardContext))"
        }
        return "text:\(text)"
    }
}
