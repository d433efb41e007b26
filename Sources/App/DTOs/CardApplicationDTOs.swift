import OneCardDomain
import Vapor

/// The online application form as the browser posts it.
struct CardApplicationForm: Content {
    var cardType: String?
    var documentKind: String?
    var idNumber: String?
    var passportCountry: String?
    var name: String?
    var gender: String?
    var birthDate: String?
    var password: String?
    var passwordConfirmation: String?
    var mobile: String?
    var homePhone: String?
    var email: String?
    var householdNumber: String?
    var headOfHouseholdName: String?
    var headOfHouseholdIDNumber: String?
    var linkNTPL: String?
    var consentNTPL: String?
    var linkKLPL: String?
    var consentKLPL: String?
    var captcha: String?

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
        input.passwordConfirmation = passwordConfirmation ?? ""
        input.mobile = mobile ?? ""
        input.homePhone = homePhone ?? ""
        input.email = email ?? ""
        input.householdNumber = householdNumber ?? ""
        input.headOfHouseholdName = headOfHouseholdName ?? ""
        input.headOfHouseholdIDNumber = headOfHouseholdIDNumber ?? ""
        if linkNTPL == "yes" { input.partnerLinks.insert("NTPL") }
        if linkKLPL == "yes" { input.partnerLinks.insert("KLPL") }
        if consentNTPL == "yes" { input.partnerConsents.insert("NTPL") }
        if consentKLPL == "yes" { input.partnerConsents.insert("KLPL") }
        return input
    }

    /// What the form shows again after an error: everything typed except the passwords and the captcha.
    var keptValues: [String: String] {
        let pairs: [(String, String?)] = [
            ("cardType", cardType), ("documentKind", documentKind), ("idNumber", idNumber), ("passportCountry", passportCountry),
            ("name", name), ("gender", gender), ("birthDate", birthDate), ("mobile", mobile), ("homePhone", homePhone),
            ("email", email), ("householdNumber", householdNumber), ("headOfHouseholdName", headOfHouseholdName),
            ("headOfHouseholdIDNumber", headOfHouseholdIDNumber), ("linkNTPL", linkNTPL), ("consentNTPL", consentNTPL),
            ("linkKLPL", linkKLPL), ("consentKLPL", consentKLPL),
        ]
        return pairs.reduce(into: [:]) { result, pair in if let value = pair.1 { result[pair.0] = value } }
    }
}

/// `POST /api/v1/card-applications`: the same fields as the web form, as JSON.
struct CardApplicationRequestDTO: Content {
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
    /// Partner services to link (`NTPL`, `KLPL`); each needs its consent in `acceptedConsents`.
    var partnerLinks: [String]?
    /// Codes of the consent documents the person agreed to: `TPML_PRIVACY`, `TAIPEI_CITY_ID`, `NTPL_LINK`, `KLPL_LINK`.
    var acceptedConsents: [String]?
    var locale: String?

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
        input.passwordConfirmation = password ?? ""
        input.mobile = mobile ?? ""
        input.homePhone = homePhone ?? ""
        input.email = email ?? ""
        input.householdNumber = householdNumber ?? ""
        input.headOfHouseholdName = headOfHouseholdName ?? ""
        input.headOfHouseholdIDNumber = headOfHouseholdIDNumber ?? ""
        input.partnerLinks = Set(partnerLinks ?? [])
        let accepted = Set(acceptedConsents ?? [])
        input.partnerConsents = Set(CardApplicationRules.linkablePartners.filter { accepted.contains("\($0)_LINK") })
        return input
    }
}

struct CardApplicationCreatedDTO: Content {
    let applicationNumber: String
    let status: String
    let nextStep: String
}

struct FieldErrorDTO: Content {
    let field: String
    let code: String
    let message: String
}

struct FieldErrorsDTO: Content {
    let errors: [FieldErrorDTO]
}
