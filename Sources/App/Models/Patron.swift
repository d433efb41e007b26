import Fluent
import Foundation
import OneCardDomain

/// A person of the consortium: from the online application (pending) to an active card.
/// One row per person: the blind index of the ID number is unique, so two applications by the same
/// person cannot both be stored, however close together they arrive.
final class Patron: Model, @unchecked Sendable {
    static let schema = "patrons"

    enum Status: String, Codable, Sendable {
        /// Applied online; completes at a desk after the person's ID has been checked.
        case pending
        case active
        /// Never completed; personal data erased.
        case expired
        /// Erased at the reader's request: a tombstone, so the audit trail and consent records still
        /// point at something; nothing that identifies the person is left.
        case erased
    }

    enum CardKind: String, Codable, Sendable {
        /// Borrows and reserves physical items, and opens e-resources.
        case physical
        /// 數位借閱證: e-resources only, until a desk upgrades it after checking the person's ID.
        case digital
    }

    /// The way the application came in, for the reports (issue #14 item 4).
    enum ApplicationChannel: String, Codable, Sendable, CaseIterable {
        /// The online application form (and cards entered at a desk, e.g. `seed-demo`).
        case web
        /// A kiosk or partner system through `POST /api/v1/card-applications`.
        case api
        /// A row of a group batch (集體辦證).
        case group
        /// The digital card form (數位借閱證), by documents or certificate.
        case digital
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "library_id") var library: Library
    @Enum(key: "status") var status: Status
    @Field(key: "card_type") var cardType: String
    @Enum(key: "card_kind") var cardKind: CardKind
    @Field(key: "application_number") var applicationNumber: String
    @Enum(key: "application_channel") var applicationChannel: ApplicationChannel
    @OptionalField(key: "card_number") var cardNumber: String?
    /// IdentityDocumentKind raw value.
    @OptionalField(key: "document_kind") var documentKind: String?
    /// Vault envelope; nil once erased.
    @OptionalField(key: "id_number_sealed") var idNumberSealed: String?
    /// Keyed blind index of the normalized ID number (see `PersonalDataVault.blindIndex`).
    @OptionalField(key: "id_number_index") var idNumberIndex: String?
    @OptionalField(key: "passport_country") var passportCountry: String?
    @Field(key: "name") var name: String
    @OptionalField(key: "gender") var gender: String?
    @OptionalField(key: "birth_date") var birthDate: String?
    @OptionalField(key: "password_hash") var passwordHash: String?
    @OptionalField(key: "mobile") var mobile: String?
    @OptionalField(key: "home_phone") var homePhone: String?
    @OptionalField(key: "email") var email: String?
    @OptionalField(key: "household_sealed") var householdSealed: String?
    @OptionalField(key: "easy_card_sealed") var easyCardSealed: String?
    @OptionalField(key: "easy_card_index") var easyCardIndex: String?
    @Field(key: "locale") var locale: String
    @Field(key: "applied_at") var appliedAt: Date
    @OptionalField(key: "activated_at") var activatedAt: Date?
    @OptionalField(key: "activated_by") var activatedBy: UUID?
    /// 有效期限: the last day the card is valid (`YYYY-MM-DD`), e.g. the end of a resident permit; nil: no end.
    @OptionalField(key: "card_valid_until") var cardValidUntil: String?
    /// The 有效期限 whose passing linked partners were told of with `patron.updated` (`CardExpiryEvents`).
    @OptionalField(key: "partners_told_expired_on") var partnersToldExpiredOn: String?
    /// 停權: set by a desk, cleared when the card is reinstated (復權).
    @OptionalField(key: "suspended_at") var suspendedAt: Date?
    /// The desk's reason, shown to the reader; may name the person, so erasure clears it.
    @OptionalField(key: "suspension_reason") var suspensionReason: String?
    /// The staff member who suspended the card.
    @OptionalField(key: "suspended_by") var suspendedBy: UUID?

    init() {}

    /// The card's 有效期限 and suspension, for the domain's standing rules.
    var validity: CardValidity {
        Self.validity(validUntil: cardValidUntil, suspendedAt: suspendedAt, reason: suspensionReason)
    }

    /// The same from the columns, for paths that read rows rather than models (`SIP2PatronLookup`).
    static func validity(validUntil: String?, suspendedAt: Date?, reason: String?) -> CardValidity {
        CardValidity(validUntil: validUntil.flatMap(CalendarDay.init(iso:)),
                     suspension: suspendedAt.map { CardValidity.Suspension(since: $0, reason: reason ?? "") })
    }

    /// The card's standing at `now` on Taipei's calendar; nil unless the card is active.
    func standing(at now: Date) -> CardStanding? {
        status == .active ? validity.standing(at: now) : nil
    }

    /// Forgets everything that identifies the person (ID, name, birth date, contact details, password,
    /// household register, EasyCard and card number); keeps the row, its library, application number
    /// and dates.
    func erasePersonalData() {
        idNumberSealed = nil
        idNumberIndex = nil
        documentKind = nil
        passportCountry = nil
        name = ""
        gender = nil
        birthDate = nil
        passwordHash = nil
        mobile = nil
        homePhone = nil
        email = nil
        householdSealed = nil
        easyCardSealed = nil
        easyCardIndex = nil
        cardNumber = nil
        suspensionReason = nil
    }
}
