import Foundation
import OneCardDomain
import PersonalDataVault
import Vapor

/// The claims a relying party receives, by scope (userinfo endpoint). Never an ID number; the birth date
/// only for the `birthdate` scope.
struct OIDCUserInfo: Content, Equatable {
    struct Card: Content, Equatable {
        /// `physical` or `digital`.
        let kind: String
        /// `good`, `expired` or `suspended`.
        let standing: String
        /// `YYYY-MM-DD`, or nil when the card has no end.
        let validUntil: String?
        /// The home library's code (e.g. `NLPI`).
        let library: String

        enum CodingKeys: String, CodingKey {
            case kind, standing, library
            case validUntil = "valid_until"
        }
    }

    let sub: String
    var name: String?
    var email: String?
    var card: Card?
    var ageOver18: Bool?
    /// `under_13`, `13_17`, `18_64` or `65_plus`.
    var ageBracket: String?
    var birthdate: String?

    enum CodingKeys: String, CodingKey {
        case sub, name, email, card, birthdate
        case ageOver18 = "age_over_18"
        case ageBracket = "age_bracket"
    }

    /// `patron` must be loaded with its library.
    init(patron: Patron, clientID: String, scopes: [String], vault: PersonalDataVault, now: Date) throws {
        sub = Self.pairwiseSubject(patron: try patron.requireID(), clientID: clientID, vault: vault)
        let granted = Set(scopes)
        if granted.contains(OIDCScope.profile.rawValue) { name = patron.name }
        if granted.contains(OIDCScope.email.rawValue) { email = patron.email }
        if granted.contains(OIDCScope.card.rawValue) {
            card = Card(kind: patron.cardKind.rawValue, standing: (patron.standing(at: now) ?? .expired).rawValue,
                        validUntil: patron.cardValidUntil, library: patron.library.code)
        }
        let birth = patron.birthDate.flatMap(CalendarDay.init(iso:))
        if granted.contains(OIDCScope.age.rawValue), let birth {
            let age = birth.age(on: CalendarDay(date: now, timeZone: .taipei))
            ageOver18 = age >= 18
            ageBracket = switch age {
            case ..<13: "under_13"
            case 13..<18: "13_17"
            case 18..<65: "18_64"
            default: "65_plus"
            }
        }
        if granted.contains(OIDCScope.birthdate.rawValue) { birthdate = birth?.iso }
    }

    /// A pairwise subject (OIDC Core §8.1): a keyed hash of the reader's id and the client, so two vendors
    /// cannot match their readers; the key is the vault's blind-index key, never stored beside the data.
    static func pairwiseSubject(patron: UUID, clientID: String, vault: PersonalDataVault) -> String {
        vault.blindIndex(patron.uuidString.lowercased(), context: "oidc.sub:\(clientID)")
    }
}
