import Foundation

/// Who may apply for a digital card (數位借閱證) online: ROC nationals only. A foreign resident
/// applies in person for a physical card, which opens the digital resources too (the seed's 注意事項).
public enum DigitalCardEligibility: Sendable, Equatable {
    case eligible(IdentityNumber)
    /// A resident certificate or unified ID number: apply in person for a physical card.
    case foreignResident
    case invalid(code: String)

    public static func check(_ raw: String) -> DigitalCardEligibility {
        guard !IdentityNumber.normalize(raw).isEmpty else { return .invalid(code: "id_empty") }
        switch IdentityNumber.parse(raw) {
        case .success(let identity) where identity.isROCNational: return .eligible(identity)
        case .success: return .foreignResident
        case .failure(let error): return .invalid(code: error.code)
        }
    }
}

/// Which identity documents an individual digital card application needs (the seed's 其他):
/// the ID card front and back; without an ID card yet, the full household register; under 12, a
/// parent's or guardian's ID card front and back and the household register.
public enum DigitalCardDocumentSet: String, Sendable, Codable, CaseIterable {
    case idCard = "id_card"
    case householdRegister = "household_register"
    case minor

    public static let minorAgeLimit = 12

    public var requiredDocuments: [IdentityDocumentSlot] {
        switch self {
        case .idCard: [.idFront, .idBack]
        case .householdRegister: [.householdRegister]
        case .minor: [.guardianIDFront, .guardianIDBack, .householdRegister]
        }
    }

    public static func required(birthDate: CalendarDay, today: CalendarDay, hasIDCard: Bool) -> DigitalCardDocumentSet {
        if birthDate.age(on: today) < minorAgeLimit { return .minor }
        return hasIDCard ? .idCard : .householdRegister
    }
}

/// One uploaded picture or scan of an identity document.
public enum IdentityDocumentSlot: String, Sendable, Codable, CaseIterable {
    case idFront = "id_front"
    case idBack = "id_back"
    case householdRegister = "household_register"
    case guardianIDFront = "guardian_id_front"
    case guardianIDBack = "guardian_id_back"

    /// The form field that carries it.
    public var field: String {
        switch self {
        case .idFront: "idFront"
        case .idBack: "idBack"
        case .householdRegister: "householdRegister"
        case .guardianIDFront: "guardianIDFront"
        case .guardianIDBack: "guardianIDBack"
        }
    }
}

/// What a person typed into the digital card application, before any checking.
public struct DigitalCardInput: Sendable {
    public var idNumber = ""
    public var name = ""
    public var birthDate = ""
    public var email = ""
    public var mobile = ""
    public var password = ""
    public var passwordConfirmation = ""
    /// 尚未領有身分證 unticked.
    public var hasIDCard = true
    public var guardianName = ""
    /// 與申請人關係, e.g. 父、母、監護人.
    public var guardianRelation = ""

    public init() {}
}

/// A digital card application that passed every rule, normalized.
public struct DigitalCardApplicationForm: Sendable {
    public struct Guardian: Sendable, Equatable {
        public let name: String
        public let relation: String
    }

    public let identity: IdentityNumber
    public let name: String
    public let birthDate: CalendarDay
    public let email: String
    public let mobile: String?
    public let password: String
    public let documents: DigitalCardDocumentSet
    public let guardian: Guardian?
}

public enum DigitalCardRules {
    /// Checks every field at once. `documentsSent` are the slots that came with the form; with a
    /// citizen certificate no document is needed (`needsDocuments` false).
    public static func validate(
        _ input: DigitalCardInput, today: CalendarDay, passwordPolicy: PasswordPolicy,
        needsDocuments: Bool, documentsSent: Set<IdentityDocumentSlot>
    ) -> Result<DigitalCardApplicationForm, FieldErrors> {
        var errors: [FieldError] = []
        func fail(_ field: String, _ code: String) { errors.append(FieldError(field: field, code: code)) }

        var identity: IdentityNumber?
        switch DigitalCardEligibility.check(input.idNumber) {
        case .eligible(let parsed): identity = parsed
        case .foreignResident: fail("idNumber", "digital_national_only")
        case .invalid(let code): fail("idNumber", code)
        }

        var name = ""
        switch PersonalText.clean(input.name, maximumLength: CardApplicationRules.maximumNameLength) {
        case .success(let clean): name = clean
        case .failure(.empty): fail("name", "name_required")
        case .failure(.invalid): fail("name", "name_invalid")
        }

        let birthText = input.birthDate.trimmingCharacters(in: .whitespaces)
        let typedBirthDate = TypedDate.parse(birthText)
        let birthDate = try? typedBirthDate.get()
        if birthText.isEmpty {
            fail("birthDate", "birth_date_required")
        } else if let birthDate {
            if birthDate > today { fail("birthDate", "birth_date_future") }
            else if birthDate.year < today.year - 130 { fail("birthDate", "birth_date_invalid") }
        } else {
            fail("birthDate", typedBirthDate == .failure(.noSuchDay) ? "birth_date_no_such_day" : "birth_date_invalid")
        }

        let email = input.email.precomposedStringWithCompatibilityMapping.trimmingCharacters(in: .whitespaces)
        if email.isEmpty { fail("email", "email_required") }
        else if !EmailAddressRule.isValid(email) { fail("email", "email_invalid") }
        let mobile = PhoneNumber.mobile(input.mobile)
        if !input.mobile.trimmingCharacters(in: .whitespaces).isEmpty, mobile == nil { fail("mobile", "mobile_invalid") }

        let facts = PasswordPolicy.PersonalFacts(idNumber: identity?.value ?? IdentityNumber.normalize(input.idNumber),
                                                 phones: [mobile].compactMap { $0 }, birthDate: birthDate)
        if let problem = passwordPolicy.problem(with: input.password, facts: facts) {
            fail("password", problem.rawValue)
        } else if input.password != input.passwordConfirmation {
            fail("passwordConfirmation", "password_mismatch")
        }

        var documents = DigitalCardDocumentSet.idCard
        var guardian: DigitalCardApplicationForm.Guardian?
        if let birthDate, birthDate <= today {
            documents = DigitalCardDocumentSet.required(birthDate: birthDate, today: today, hasIDCard: input.hasIDCard)
            if documents == .minor {
                var guardianName = "", relation = ""
                switch PersonalText.clean(input.guardianName, maximumLength: CardApplicationRules.maximumNameLength) {
                case .success(let clean): guardianName = clean
                case .failure(.empty): fail("guardianName", "guardian_name_required")
                case .failure(.invalid): fail("guardianName", "guardian_name_invalid")
                }
                switch PersonalText.clean(input.guardianRelation, maximumLength: 20) {
                case .success(let clean): relation = clean
                case .failure(.empty): fail("guardianRelation", "guardian_relation_required")
                case .failure(.invalid): fail("guardianRelation", "guardian_relation_invalid")
                }
                if !guardianName.isEmpty, !relation.isEmpty { guardian = .init(name: guardianName, relation: relation) }
            }
            if needsDocuments {
                for slot in documents.requiredDocuments where !documentsSent.contains(slot) {
                    fail(slot.field, "document_required")
                }
            }
        }

        guard errors.isEmpty, let identity, let birthDate else { return .failure(FieldErrors(errors)) }
        return .success(DigitalCardApplicationForm(
            identity: identity, name: name, birthDate: birthDate, email: email.lowercased(), mobile: mobile,
            password: input.password, documents: documents, guardian: guardian))
    }
}
