import OneCardDomain
import Vapor

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
        // The API speaks ISO dates only; 民國 and other typed forms are for people at the forms.
        input.dateEntry = .isoOnly
        input.partnerLinks = Set(partnerLinks ?? [])
        let accepted = Set(acceptedConsents ?? [])
        input.partnerConsents = Set(CardApplicationRules.linkablePartners.filter { accepted.contains("\($0)_LINK") })
        return input
    }
}
