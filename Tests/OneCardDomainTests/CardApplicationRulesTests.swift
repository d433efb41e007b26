import Foundation
import Testing
@testable import OneCardDomain

/// The online application's rules without any server: every field, the password policy, phones and email.
@Suite("Card application rules")
struct CardApplicationRulesTests {
    static let today = CalendarDay(year: 2026, month: 11, day: 22)!
    static let policy = PasswordPolicy(commonPasswords: ["password", "12345678", "iloveyou"])

    static func valid() -> CardApplicationInput {
        var input = CardApplicationInput()
        input.cardType = "personal"; input.documentKind = "nationalID"; input.idNumber = "A123456789"; input.name = "王小明"
        input.gender = "male"; input.birthDate = "1990-05-03"; input.password = "river lantern mango"
        input.passwordConfirmation = input.password; input.mobile = "0912-345-678"; input.homePhone = "02-2755-2823"
        input.email = "Wang@Example.org"
        return input
    }

    static func errors(_ change: (inout CardApplicationInput) -> Void) -> [FieldError] {
        var input = valid()
        change(&input)
        switch CardApplicationRules.validate(input, today: today, passwordPolicy: policy) {
        case .success: return []
        case .failure(let failure): return failure.errors
        }
    }

    @Test("A complete application passes, normalized")
    func validApplication() throws {
        let application = try CardApplicationRules.validate(Self.valid(), today: Self.today, passwordPolicy: Self.policy).get()
        #expect(application.identity.value == "A123456789")
        #expect(application.mobile == "0912345678")
        #expect(application.homePhone == "0227552823")
        #expect(application.email == "wang@example.org")
        #expect(application.household == nil)
    }

    @Test("Missing choices are each reported on their own field")
    func missingChoices() {
        let found = Self.errors { $0.cardType = ""; $0.gender = "x"; $0.documentKind = "" }
        #expect(found.contains(FieldError(field: "cardType", code: "card_type_required")))
        #expect(found.contains(FieldError(field: "gender", code: "gender_required")))
        #expect(found.contains(FieldError(field: "documentKind", code: "document_kind_required")))
        #expect(!found.contains { $0.field == "idNumber" }, "without a document type the number is not judged")
    }

    @Test("Names: required, at most 60 characters, no control characters")
    func names() {
        #expect(Self.errors { $0.name = "  " } == [FieldError(field: "name", code: "name_required")])
        #expect(Self.errors { $0.name = String(repeating: "王", count: 60) } == [])
        #expect(Self.errors { $0.name = String(repeating: "王", count: 61) } == [FieldError(field: "name", code: "name_invalid")])
        #expect(Self.errors { $0.name = "王\u{7}小明" } == [FieldError(field: "name", code: "name_invalid")])
    }

    @Test("Kind mismatch names the number's real kind")
    func kindMismatch() {
        #expect(Self.errors { $0.idNumber = "A800000014" } == [FieldError(field: "idNumber", code: "id_kind_mismatch")])
        #expect(Self.errors { $0.documentKind = "residentCertificate" }
            == [FieldError(field: "idNumber", code: "id_kind_mismatch_national_id")])
        #expect(Self.errors { $0.documentKind = "residentCertificate"; $0.idNumber = "A800000014" } == [])
    }

    @Test("With a list of known countries, a passport's country must be on it, and a name typed there is not called missing")
    func knownPassportCountries() {
        func errors(country: String, idNumber: String = "TR1234567", known: Set<String>? = ["JPN", "USA"]) -> [FieldError] {
            var input = Self.valid()
            input.documentKind = "passport"; input.idNumber = idNumber; input.passportCountry = country
            switch CardApplicationRules.validate(input, today: Self.today, passwordPolicy: Self.policy, knownPassportCountries: known) {
            case .success: return []
            case .failure(let failure): return failure.errors
            }
        }
        #expect(errors(country: "JPN") == [])
        #expect(errors(country: " jpn ") == [], "normalized like the number")
        #expect(errors(country: "Japan") == [FieldError(field: "passportCountry", code: "passport_country_unknown")])
        #expect(errors(country: "XYZ") == [FieldError(field: "passportCountry", code: "passport_country_unknown")])
        #expect(errors(country: "") == [FieldError(field: "passportCountry", code: "id_country_missing")])
        #expect(errors(country: "Japan", idNumber: "") == [FieldError(field: "passportCountry", code: "passport_country_unknown"),
                                                           FieldError(field: "idNumber", code: "id_empty")])
        // Without the list (the API), any 2- or 3-letter code passes, as before.
        #expect(errors(country: "XYZ", known: nil) == [])
        #expect(errors(country: "Japan", known: nil) == [FieldError(field: "passportCountry", code: "id_country_missing")])
    }

    @Test("Birth dates: required, real, not in the future, not absurdly old")
    func birthDates() {
        #expect(Self.errors { $0.birthDate = "" } == [FieldError(field: "birthDate", code: "birth_date_required")])
        // A day that does not exist is told apart from an unreadable one (#17 item 4), in 西元 and 民國 alike.
        #expect(Self.errors { $0.birthDate = "1990-02-30" } == [FieldError(field: "birthDate", code: "birth_date_no_such_day")])
        #expect(Self.errors { $0.birthDate = "79/02/30" } == [FieldError(field: "birthDate", code: "birth_date_no_such_day")])
        #expect(Self.errors { $0.birthDate = "1990-13-01" } == [FieldError(field: "birthDate", code: "birth_date_invalid")])
        #expect(Self.errors { $0.birthDate = "79/05/03" } == [])
        #expect(Self.errors { $0.birthDate = "2026-11-23" } == [FieldError(field: "birthDate", code: "birth_date_future")])
        #expect(Self.errors { $0.birthDate = "1890-01-01" } == [FieldError(field: "birthDate", code: "birth_date_invalid")])
    }

    @Test("Passwords: too long, mismatched confirmation")
    func passwords() {
        let long = String(repeating: "a", count: 129)
        #expect(Self.errors { $0.password = long; $0.passwordConfirmation = long } == [FieldError(field: "password", code: "password_too_long")])
        #expect(Self.errors { $0.passwordConfirmation = "river lantern mangos" }
            == [FieldError(field: "passwordConfirmation", code: "password_mismatch")])
    }

    @Test("A family card needs a valid household number and head of household")
    func familyCard() throws {
        #expect(Self.errors { $0.cardType = "family" } == [
            FieldError(field: "householdNumber", code: "household_number_required"),
            FieldError(field: "headOfHouseholdName", code: "head_name_required"),
            FieldError(field: "headOfHouseholdIDNumber", code: "head_id_required"),
        ])
        let bad = Self.errors {
            $0.cardType = "family"; $0.householdNumber = "1234567"; $0.headOfHouseholdName = "王大明"; $0.headOfHouseholdIDNumber = "A123456788"
        }
        #expect(bad == [FieldError(field: "householdNumber", code: "household_number_invalid"),
                        FieldError(field: "headOfHouseholdIDNumber", code: "id_checksum")])
        var input = Self.valid()
        input.cardType = "family"; input.householdNumber = "f1234567"; input.headOfHouseholdName = " 王大明 "; input.headOfHouseholdIDNumber = "f234567898"
        let household = try CardApplicationRules.validate(input, today: Self.today, passwordPolicy: Self.policy).get().household
        #expect(household?.number == "F1234567")
        #expect(household?.headName == "王大明")
        #expect(household?.headIDNumber.value == "F234567898")
    }

    @Test("A partner link needs its consent")
    func partnerConsent() {
        #expect(Self.errors { $0.partnerLinks = ["NTPL"] } == [FieldError(field: "partnerConsentNTPL", code: "partner_consent_required")])
        #expect(Self.errors { $0.partnerLinks = ["NTPL"]; $0.partnerConsents = ["NTPL"] } == [])
    }

    @Test("A partner nobody offers is refused, never dropped")
    func unknownPartner() {
        #expect(Self.errors { $0.partnerLinks = ["NTPL", "XYZL"]; $0.partnerConsents = ["NTPL"] }
            == [FieldError(field: "partnerLinks", code: "partner_link_unknown")])
        #expect(Self.errors { $0.partnerLinks = ["ntpl"] } == [FieldError(field: "partnerLinks", code: "partner_link_unknown")])
    }

    // MARK: Password policy (ASVS 2.1)

    @Test("Length is counted in characters a person sees: 8 to 128")
    func passwordLengths() {
        #expect(Self.policy.problem(with: "seven77") == .tooShort)
        #expect(Self.policy.problem(with: "圖書館借閱證好用") == nil, "8 CJK characters are enough")
        #expect(Self.policy.problem(with: String(repeating: "é", count: 128)) == nil)
        #expect(Self.policy.problem(with: String(repeating: "x", count: 129)) == .tooLong)
    }

    @Test("Common passwords are refused whatever their case")
    func commonPasswords() {
        #expect(Self.policy.problem(with: "PassWord") == .common)
        #expect(Self.policy.problem(with: "iloveyou") == .common)
        #expect(Self.policy.problem(with: "river lantern mango") == nil)
    }

    @Test("The person's own ID number, phones and birthday are refused, however written")
    func personalPasswords() {
        let facts = PasswordPolicy.PersonalFacts(idNumber: "A123456789", phones: ["0912345678"],
                                                 birthDate: CalendarDay(year: 1990, month: 5, day: 3))
        for password in ["a123456789", "0912-345-678", "1990/05/03", "05031990", "03051990", "079.05.03"] {
            #expect(Self.policy.problem(with: password, facts: facts) == .personal, "\(password)")
        }
        #expect(Self.policy.problem(with: "a123456780", facts: facts) == nil)
        let both = PasswordPolicy(commonPasswords: ["a123456789"])
        #expect(both.problem(with: "A123456789", facts: facts) == .personal, "one's own ID number says more than 'common'")
        #expect(both.problem(with: "A123456789") == .common)
    }

    // MARK: Phones and email

    @Test("Mobile numbers: 09 and eight digits; +886 and full-width digits accepted")
    func mobiles() {
        #expect(PhoneNumber.mobile("0912-345-678") == "0912345678")
        #expect(PhoneNumber.mobile("+886 912 345 678") == "0912345678")
        #expect(PhoneNumber.mobile("０９１２３４５６７８") == "0912345678")
        #expect(PhoneNumber.mobile("0212345678") == nil)
        #expect(PhoneNumber.mobile("091234567") == nil)
    }

    @Test("Landlines need an area code; an extension follows #")
    func landlines() {
        #expect(PhoneNumber.landline("02-2755-2823") == "0227552823")
        #expect(PhoneNumber.landline("(037) 123-456") == "037123456")
        #expect(PhoneNumber.landline("02-2755-2823#123") == "0227552823#123")
        #expect(PhoneNumber.landline("2755-2823") == nil, "no area code")
        #expect(PhoneNumber.landline("0912-345-678") == nil, "a mobile is not a landline")
        #expect(PhoneNumber.landline("02-2755-2823#") == nil)
        #expect(PhoneNumber.landline("02-2755-2823#1234567") == nil)
        #expect(PhoneNumber.landline("02-2755-282a") == nil)
    }

    @Test("Email addresses: plain shape checks")
    func emails() {
        for good in ["name@example.com", "a.b+c@sub.example.org.tw"] { #expect(EmailAddressRule.isValid(good), "\(good)") }
        for bad in ["", "name", "name@", "@example.com", "name@example", "name@.example.com", "name@example.com.",
                    "na me@example.com", "a@b@example.com", "name@exa..mple.com", "<name@example.com>"] {
            #expect(!EmailAddressRule.isValid(bad), "\(bad)")
        }
        #expect(!EmailAddressRule.isValid(String(repeating: "a", count: 250) + "@b.tw"), "longer than 254")
    }
}
