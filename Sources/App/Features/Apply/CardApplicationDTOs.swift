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

/// The online application form as the browser posts it: the shared fields plus the form's own.
struct CardApplicationForm: Content {
    var fields: CardApplicationFields
    var passwordConfirmation: String?
    var linkNTPL: String?
    var consentNTPL: String?
    var linkKLPL: String?
    var consentKLPL: String?
    var captcha: String?

    private enum FormKeys: String, CodingKey {
        case passwordConfirmation, linkNTPL, consentNTPL, linkKLPL, consentKLPL, captcha
    }

    init(from decoder: any Decoder) throws {
        fields = try CardApplicationFields(from: decoder)
        let container = try decoder.container(keyedBy: FormKeys.self)
        passwordConfirmation = try container.decodeIfPresent(String.self, forKey: .passwordConfirmation)
        linkNTPL = try container.decodeIfPresent(String.self, forKey: .linkNTPL)
        consentNTPL = try container.decodeIfPresent(String.self, forKey: .consentNTPL)
        linkKLPL = try container.decodeIfPresent(String.self, forKey: .linkKLPL)
        consentKLPL = try container.decodeIfPresent(String.self, forKey: .consentKLPL)
        captcha = try container.decodeIfPresent(String.self, forKey: .captcha)
    }

    func encode(to encoder: any Encoder) throws {
        try fields.encode(to: encoder)
    }

    func toInput() -> CardApplicationInput {
        var input = fields.toInput()
        input.passwordConfirmation = passwordConfirmation ?? ""
        if linkNTPL == "yes" { input.partnerLinks.insert("NTPL") }
        if linkKLPL == "yes" { input.partnerLinks.insert("KLPL") }
        if consentNTPL == "yes" { input.partnerConsents.insert("NTPL") }
        if consentKLPL == "yes" { input.partnerConsents.insert("KLPL") }
        return input
    }

    /// Everything typed except the passwords and the captcha.
    var keptValues: [String: String] {
        var values = fields.keptValues
        for (key, value) in [("linkNTPL", linkNTPL), ("consentNTPL", consentNTPL), ("linkKLPL", linkKLPL), ("consentKLPL", consentKLPL)] {
            if let value { values[key] = value }
        }
        return values
    }
}

/// `POST /api/v1/card-applications`: the shared fields as JSON, with the consents agreed to.
struct CardApplicationRequestDTO: Content {
    var fields: CardApplicationFields
    /// Partner services to link (`NTPL`, `KLPL`); each needs its consent in `acceptedConsents`.
    var partnerLinks: [String]?
    /// Codes of the consent documents the person agreed to: `TPML_PRIVACY`, `TAIPEI_CITY_ID`, `NTPL_LINK`, `KLPL_LINK`.
    var acceptedConsents: [String]?
    var locale: String?

    private enum RequestKeys: String, CodingKey {
        case partnerLinks, acceptedConsents, locale
    }

    init(from decoder: any Decoder) throws {
        fields = try CardApplicationFields(from: decoder)
        let container = try decoder.container(keyedBy: RequestKeys.self)
        partnerLinks = try container.decodeIfPresent([String].self, forKey: .partnerLinks)
        acceptedConsents = try container.decodeIfPresent([String].self, forKey: .acceptedConsents)
        locale = try container.decodeIfPresent(String.self, forKey: .locale)
    }

    func encode(to encoder: any Encoder) throws {
        try fields.encode(to: encoder)
    }

    func toInput() -> CardApplicationInput {
        var input = fields.toInput()
        // An API client sends the password once: it confirmed it on its own screen.
        input.passwordConfirmation = input.password
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
