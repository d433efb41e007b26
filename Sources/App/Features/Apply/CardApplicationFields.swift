import OneCardDomain
import Vapor

/// The fields the web form and the API share, under the same names in both.
struct CardApplicationFields: Codable, Sendable {
    var cardType: String?
    var documentKind: String?
    var idNumber: String?
    var passportCountry: String?
    var name: String?
    var gender: String?
    var birthDate: String?
    var password: String?
    var mobile: String?
    var homePhone: String?
    var email: String?
    var householdNumber: String?
    var headOfHouseholdName: String?
    var headOfHouseholdIDNumber: String?

    /// The domain's input; the caller adds what differs between channels (confirmation, partner links).
    func toInput() -> CardApplicationInput {
        var input = CardApplicationInput()
        input.cardType = cardType ?? ""
        input.documentKind = documentKind ?? ""
        input.idNumber = idNumber ?? ""
        input.passportCountry = passportCountry ?? ""
        input.name = name ?? ""
        input.gender = gender ?? ""
        input.birthDate = birthDate ?? ""
        input.password = password ?? ""
        input.mobile = mobile ?? ""
        input.homePhone = homePhone ?? ""
        input.email = email ?? ""
        input.householdNumber = householdNumber ?? ""
        input.headOfHouseholdName = headOfHouseholdName ?? ""
        input.headOfHouseholdIDNumber = headOfHouseholdIDNumber ?? ""
        return input
    }

    /// What a form shows again after an error: everything typed except the password.
    var keptValues: [String: String] {
        let mirror = Mirror(reflecting: self)
        return mirror.children.reduce(into: [:]) { result, child in
            if let label = child.label, label != "password", let value = child.value as? String? , let value {
                result[label] = value
            }
        }
    }
}
