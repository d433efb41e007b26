import OneCardDomain
import Vapor

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
