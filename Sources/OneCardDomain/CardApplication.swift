import Foundation

/// 辦證類型: a personal card, or a family card (家庭證) tied to a Taipei household.
public enum CardType: String, Sendable, Codable, CaseIterable {
    case personal
    case family
}

/// What a person typed into the online card application (網路辦證), before any checking.
public struct CardApplicationInput: Sendable {
    public var cardType = ""
    public var documentKind = ""
    public var idNumber = ""
    public var passportCountry = ""
    public var name = ""
    public var gender = ""
    public var birthDate = ""
    /// How `birthDate` is read: as a person types it (西元 or 民國, `TypedDate`), or ISO only, for the JSON API,
    /// whose clients send machine dates and get a clear refusal rather than a guess.
    public var dateEntry: DateEntry = .typed
    public var password = ""
    public var passwordConfirmation = ""
    public var mobile = ""
    public var homePhone = ""
    public var email = ""
    public var householdNumber = ""
    public var headOfHouseholdName = ""
    public var headOfHouseholdIDNumber = ""
    /// Codes of the partner services chosen (結合新北市圖借閱證 …), and those whose consent was ticked.
    public var partnerLinks: Set<String> = []
    public var partnerConsents: Set<String> = []

    public init() {}
}

/// A field that failed, with a stable code; the app turns the code into a localized message.
public struct FieldError: Sendable, Equatable, Codable {
    public let field: String
    public let code: String

    public init(field: String, code: String) {
        self.field = field
        self.code = code
    }
}

/// Every field that failed, in form order.
public struct FieldErrors: Error, Sendable, Equatable {
    public let errors: [FieldError]

    public init(_ errors: [FieldError]) {
        self.errors = errors
    }
}

/// An application that passed every rule, normalized.
public struct CardApplication: Sendable {
    public struct Household: Sendable, Equatable {
        public let number: String
        public let headName: String
        public let headIDNumber: IdentityNumber
    }

    public let cardType: CardType
    public let identity: IdentityNumber
    public let name: String
    public let gender: Gender
    public let birthDate: CalendarDay
    public let password: String
    public let mobile: String?
    public let homePhone: String?
    public let email: String?
    public let household: Household?
    public let partnerLinks: [String]
}

public enum CardApplicationRules {
    /// The partner services the online form offers, in the seed's order.
    public static let linkablePartners = ["NTPL", "KLPL"]
    /// Names (the applicant's, the head of household's), in characters.
    public static let maximumNameLength = 60

    /// Checks every field at once, so the form can show every problem beside its field.
    ///
    /// `knownPassportCountries` (ISO 3166-1 alpha-3 codes), when given, is the list a passport's issuing
    /// country must come from: the web form offers exactly that list, so anything else ("Japan" typed
    /// into an old page) is named as not recognised rather than as missing.
    public static func validate(
        _ input: CardApplicationInput, today: CalendarDay, passwordPolicy: PasswordPolicy,
        knownPassportCountries: Set<String>? = nil
    ) -> Result<CardApplication, FieldErrors> {
        var errors: [FieldError] = []
        func fail(_ field: String, _ code: String) { errors.append(FieldError(field: field, code: code)) }

        let cardType = CardType(rawValue: input.cardType)
        if cardType == nil { fail("cardType", "card_type_required") }

        var identity: IdentityNumber?
        if let kind = IdentityDocumentKind(rawValue: input.documentKind) {
            var countryRefused = false
            if kind == .passport, let known = knownPassportCountries {
                let country = IdentityNumber.normalize(input.passportCountry)
                if !country.isEmpty, !known.contains(country) {
                    fail("passportCountry", "passport_country_unknown")
                    countryRefused = true
                }
            }
            if IdentityNumber.normalize(input.idNumber).isEmpty {
                fail("idNumber", "id_empty")
            } else {
                switch IdentityNumber.parse(input.idNumber, as: kind, issuingCountry: kind == .passport ? input.passportCountry : nil) {
                case .success(let parsed): identity = parsed
                case .failure(.issuingCountryMissing): if !countryRefused { fail("passportCountry", "id_country_missing") }
                case .failure(let error): fail("idNumber", error.code)
                }
            }
        } else {
            fail("documentKind", "document_kind_required")
        }

        var name = ""
        switch PersonalText.clean(input.name, maximumLength: maximumNameLength) {
        case .success(let clean): name = clean
        case .failure(.empty): fail("name", "name_required")
        case .failure(.invalid): fail("name", "name_invalid")
        }

        let gender = Gender(rawValue: input.gender)
        if gender == nil { fail("gender", "gender_required") }

        let birthText = input.birthDate.trimmingCharacters(in: .whitespaces)
        let typedBirthDate = input.dateEntry.parse(birthText)
        let birthDate = try? typedBirthDate.get()
        if birthText.isEmpty {
            fail("birthDate", "birth_date_required")
        } else if let birthDate {
            if birthDate > today { fail("birthDate", "birth_date_future") }
            else if birthDate.year < today.year - 130 { fail("birthDate", "birth_date_invalid") }
        } else {
            fail("birthDate", typedBirthDate == .failure(.noSuchDay) ? "birth_date_no_such_day" : "birth_date_invalid")
        }

        let mobile = PhoneNumber.mobile(input.mobile)
        if !input.mobile.trimmingCharacters(in: .whitespaces).isEmpty, mobile == nil { fail("mobile", "mobile_invalid") }
        let homePhone = PhoneNumber.landline(input.homePhone)
        if !input.homePhone.trimmingCharacters(in: .whitespaces).isEmpty, homePhone == nil { fail("homePhone", "home_phone_invalid") }
        let email = input.email.precomposedStringWithCompatibilityMapping.trimmingCharacters(in: .whitespaces)
        if !email.isEmpty, !EmailAddressRule.isValid(email) { fail("email", "email_invalid") }

        let facts = PasswordPolicy.PersonalFacts(
            idNumber: identity?.value ?? IdentityNumber.normalize(input.idNumber),
            phones: [mobile, homePhone].compactMap { $0 }, birthDate: birthDate
        )
        if let problem = passwordPolicy.problem(with: input.password, facts: facts) {
            fail("password", problem.rawValue)
        } else if input.password != input.passwordConfirmation {
            fail("passwordConfirmation", "password_mismatch")
        }

        var household: CardApplication.Household?
        if cardType == .family {
            let number = IdentityNumber.normalize(input.householdNumber)
            if number.isEmpty { fail("householdNumber", "household_number_required") }
            else if number.range(of: #"^[A-Z0-9]{8}$"#, options: .regularExpression) == nil { fail("householdNumber", "household_number_invalid") }
            var headName = ""
            switch PersonalText.clean(input.headOfHouseholdName, maximumLength: maximumNameLength) {
            case .success(let clean): headName = clean
            case .failure(.empty): fail("headOfHouseholdName", "head_name_required")
            case .failure(.invalid): fail("headOfHouseholdName", "head_name_invalid")
            }
            var headID: IdentityNumber?
            if IdentityNumber.normalize(input.headOfHouseholdIDNumber).isEmpty {
                fail("headOfHouseholdIDNumber", "head_id_required")
            } else {
                switch IdentityNumber.parse(input.headOfHouseholdIDNumber, as: .nationalID) {
                case .success(let parsed): headID = parsed
                case .failure(let error): fail("headOfHouseholdIDNumber", error.code)
                }
            }
            if let headID, !number.isEmpty, !headName.isEmpty {
                household = .init(number: number, headName: headName, headIDNumber: headID)
            }
        }

        // A partner nobody offers is refused, not dropped: the client asked for a link it would not get.
        if !input.partnerLinks.isSubset(of: linkablePartners) { fail("partnerLinks", "partner_link_unknown") }
        for partner in linkablePartners where input.partnerLinks.contains(partner) && !input.partnerConsents.contains(partner) {
            fail("partnerConsent\(partner)", "partner_consent_required")
        }

        guard errors.isEmpty, let cardType, let identity, let gender, let birthDate else { return .failure(FieldErrors(errors)) }
        return .success(CardApplication(
            cardType: cardType, identity: identity, name: name, gender: gender, birthDate: birthDate,
            password: input.password, mobile: mobile, homePhone: homePhone, email: email.isEmpty ? nil : email.lowercased(),
            household: household, partnerLinks: linkablePartners.filter { input.partnerLinks.contains($0) }
        ))
    }
}

/// Taiwanese phone numbers, normalized to digits.
public enum PhoneNumber {
    /// 09XXXXXXXX; accepts dashes, spaces, and +886 / 886 in front.
    public static func mobile(_ raw: String) -> String? {
        var digits = raw.precomposedStringWithCompatibilityMapping.filter { $0.isASCII && $0.isNumber }
        if digits.hasPrefix("886") { digits = "0" + digits.dropFirst(3) }
        return digits.count == 10 && digits.hasPrefix("09") ? digits : nil
    }

    /// An area code and number such as 02-2755-2823, with an optional extension (#123).
    public static func landline(_ raw: String) -> String? {
        let text = raw.precomposedStringWithCompatibilityMapping.trimmingCharacters(in: .whitespaces)
        let parts = text.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        guard let main = parts.first else { return nil }
        guard main.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-" || $0 == " " || $0 == "(" || $0 == ")") }) else { return nil }
        let digits = main.filter(\.isNumber)
        guard digits.hasPrefix("0"), !digits.hasPrefix("09"), (9...10).contains(digits.count) else { return nil }
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].count <= 6, parts[1].allSatisfy(\.isNumber) else { return nil }
            return digits + "#" + parts[1]
        }
        return String(digits)
    }
}
