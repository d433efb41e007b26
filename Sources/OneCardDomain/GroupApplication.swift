import Foundation

/// Who applies for group digital cards (集體辦證): a school or a government agency.
public enum OrganizationKind: String, Sendable, Codable, CaseIterable {
    case school
    case agency
}

/// An official letter (公文): the seed asks for one with the organization's application and another
/// for every further batch (如分批次申請，需分次發文申辦).
public struct OfficialLetter: Sendable, Equatable, Codable {
    /// 發文字號 as written, e.g. 臺教國署高字第1090092849號.
    public let number: String
    /// 發文日期.
    public let date: CalendarDay

    public init(number: String, date: CalendarDay) {
        self.number = number
        self.date = date
    }

    public static let maximumNumberLength = 100
    /// Letters older than this are refused as a likely slip of the year (a ROC year typed as Gregorian).
    public static let oldestAcceptedYears = 2

    /// Checks the letter number and date as typed; the errors use `numberField` and `dateField` as field names.
    public static func validate(number rawNumber: String, date rawDate: String, today: CalendarDay,
                                numberField: String = "letterNumber", dateField: String = "letterDate") -> Result<OfficialLetter, FieldErrors> {
        var errors: [FieldError] = []
        let number = rawNumber.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespacesAndNewlines)
        if number.isEmpty {
            errors.append(FieldError(field: numberField, code: "letter_number_required"))
        } else if number.count > maximumNumberLength || number.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            errors.append(FieldError(field: numberField, code: "letter_number_invalid"))
        }
        var date: CalendarDay?
        let trimmedDate = rawDate.trimmingCharacters(in: .whitespaces)
        if trimmedDate.isEmpty {
            errors.append(FieldError(field: dateField, code: "letter_date_required"))
        } else {
            switch TypedDate.parse(trimmedDate) {
            case .success(let parsed) where parsed > today:
                errors.append(FieldError(field: dateField, code: "letter_date_future"))
            case .success(let parsed) where parsed.year < today.year - oldestAcceptedYears:
                errors.append(FieldError(field: dateField, code: "letter_date_too_old"))
            case .success(let parsed):
                date = parsed
            case .failure(.noSuchDay):
                errors.append(FieldError(field: dateField, code: "letter_date_no_such_day"))
            case .failure(.unreadable):
                errors.append(FieldError(field: dateField, code: "letter_date_invalid"))
            }
        }
        guard errors.isEmpty, let date else { return .failure(FieldErrors(errors)) }
        return .success(OfficialLetter(number: number, date: date))
    }
}

/// What an organization types into the group application form (files are checked by the app).
public struct GroupApplicationInput: Sendable {
    public var organizationName = ""
    public var organizationKind = ""
    public var contactName = ""
    public var contactTitle = ""
    public var contactPhone = ""
    public var contactEmail = ""
    public var letterNumber = ""
    public var letterDate = ""
    /// 學校暨機關集體申辦應負之基本義務, agreed to.
    public var acceptsObligations = false

    public init() {}
}

/// The one contact person the seed asks for (申請單位請指定1名聯絡人負責辦理).
public struct GroupContact: Sendable, Equatable, Codable {
    public let name: String
    public let title: String
    /// Digits as typed without separators: a mobile number or a landline with an optional extension.
    public let phone: String
    public let email: String

    public init(name: String, title: String, phone: String, email: String) {
        self.name = name
        self.title = title
        self.phone = phone
        self.email = email
    }
}

/// A group application that passed every rule, normalized.
public struct GroupApplication: Sendable, Equatable {
    public let organizationName: String
    public let organizationKind: OrganizationKind
    public let contact: GroupContact
    public let letter: OfficialLetter
}

/// The rules of the organization's application and of its contact person.
public enum GroupApplicationRules {
    public static let maximumNameLength = 100
    public static let maximumTitleLength = 50

    /// Batches are due within 10 working days and aimed at 7 (seed: 約7-10個工作天).
    public static let batchDueWorkingDays = 10
    public static let batchTargetWorkingDays = 7
    /// The organization's application itself is answered on the same terms.
    public static let applicationDueWorkingDays = 10

    public static func validate(_ input: GroupApplicationInput, today: CalendarDay) -> Result<GroupApplication, FieldErrors> {
        var errors: [FieldError] = []
        var name = ""
        switch PersonalText.clean(input.organizationName, maximumLength: maximumNameLength) {
        case .success(let clean): name = clean
        case .failure(.empty): errors.append(FieldError(field: "organizationName", code: "organization_name_required"))
        case .failure(.invalid): errors.append(FieldError(field: "organizationName", code: "organization_name_invalid"))
        }
        let kind = OrganizationKind(rawValue: input.organizationKind)
        if kind == nil { errors.append(FieldError(field: "organizationKind", code: "organization_kind_required")) }
        var contact: GroupContact?
        switch validateContact(name: input.contactName, title: input.contactTitle, phone: input.contactPhone, email: input.contactEmail) {
        case .success(let valid): contact = valid
        case .failure(let failure): errors += failure.errors
        }
        var letter: OfficialLetter?
        switch OfficialLetter.validate(number: input.letterNumber, date: input.letterDate, today: today) {
        case .success(let valid): letter = valid
        case .failure(let failure): errors += failure.errors
        }
        if !input.acceptsObligations { errors.append(FieldError(field: "acceptsObligations", code: "obligations_required")) }
        guard errors.isEmpty, let kind, let contact, let letter else { return .failure(FieldErrors(errors)) }
        return .success(GroupApplication(organizationName: name, organizationKind: kind, contact: contact, letter: letter))
    }

    /// The contact person's fields, also when the library records a new contact person.
    public static func validateContact(name rawName: String, title rawTitle: String, phone rawPhone: String,
                                       email rawEmail: String) -> Result<GroupContact, FieldErrors> {
        var errors: [FieldError] = []
        var name = "", title = ""
        switch PersonalText.clean(rawName, maximumLength: maximumTitleLength) {
        case .success(let clean): name = clean
        case .failure(.empty): errors.append(FieldError(field: "contactName", code: "contact_name_required"))
        case .failure(.invalid): errors.append(FieldError(field: "contactName", code: "contact_name_invalid"))
        }
        switch PersonalText.clean(rawTitle, maximumLength: maximumTitleLength) {
        case .success(let clean): title = clean
        case .failure(.empty): errors.append(FieldError(field: "contactTitle", code: "contact_title_required"))
        case .failure(.invalid): errors.append(FieldError(field: "contactTitle", code: "contact_title_invalid"))
        }
        let phoneText = rawPhone.trimmingCharacters(in: .whitespaces)
        let phone = phoneText.isEmpty ? nil : (PhoneNumber.mobile(phoneText) ?? PhoneNumber.landline(phoneText))
        if phoneText.isEmpty {
            errors.append(FieldError(field: "contactPhone", code: "contact_phone_required"))
        } else if phone == nil {
            errors.append(FieldError(field: "contactPhone", code: "contact_phone_invalid"))
        }
        let email = rawEmail.precomposedStringWithCompatibilityMapping.trimmingCharacters(in: .whitespaces)
        if email.isEmpty {
            errors.append(FieldError(field: "contactEmail", code: "contact_email_required"))
        } else if !EmailAddressRule.isValid(email) {
            errors.append(FieldError(field: "contactEmail", code: "contact_email_invalid"))
        }
        guard errors.isEmpty, let phone else { return .failure(FieldErrors(errors)) }
        return .success(GroupContact(name: name, title: title, phone: phone, email: normalizedEmail(email)))
    }

    /// Addresses compare without regard to the case of the domain (and, in practice, of the local part).
    public static func normalizedEmail(_ email: String) -> String {
        email.precomposedStringWithCompatibilityMapping.trimmingCharacters(in: .whitespaces).lowercased()
    }

}

/// Where a batch (one reader data file under one official letter) stands.
public enum GroupBatchStatus: String, Sendable, Codable, CaseIterable {
    /// Waiting in the reviewers' queue, in order of arrival.
    case queued
    /// Approved; its cards are being created, chunk by chunk.
    case importing
    /// Every card created; the contact has the summary.
    case completed
    /// Refused by a reviewer, with a reason sent to the contact; nothing was created.
    case rejected

    /// Whether a reviewer may still approve or reject it.
    public var awaitsDecision: Bool { self == .queued }
}

/// The schedule of a batch: due within 10 working days of its arrival, aimed at 7.
public struct GroupBatchSchedule: Sendable, Equatable {
    public let received: CalendarDay
    public let target: CalendarDay
    public let due: CalendarDay

    public init(received: CalendarDay, calendar: WorkingDayCalendar) {
        self.received = received
        target = calendar.dueDate(after: received, workingDays: GroupApplicationRules.batchTargetWorkingDays)
        due = calendar.dueDate(after: received, workingDays: GroupApplicationRules.batchDueWorkingDays)
    }

    /// Overdue once the due day has passed without a decision.
    public static func isOverdue(due: CalendarDay, today: CalendarDay) -> Bool {
        today > due
    }
}
