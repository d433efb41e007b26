import Fluent
import Foundation
import OneCardDomain

/// An organization's application for group digital cards (集體辦證): the school or agency, its one
/// contact person, its official letter, and the library's decision. Its files are `GroupDocument`s;
/// its reader data files become `GroupBatch`es once it is approved.
final class GroupApplicationRecord: Model, @unchecked Sendable {
    static let schema = "group_applications"

    enum Status: String, Codable, Sendable {
        case submitted
        case approved
        case rejected
    }

    @ID(key: .id) var id: UUID?
    /// The library applied to: it reviews the application and issues the cards.
    @Parent(key: "library_id") var library: Library
    /// e.g. NLPI-G260522-4F7K2Q, quoted in emails and on the reviewer's screen.
    @Field(key: "reference") var reference: String
    @Enum(key: "status") var status: Status
    @Field(key: "organization_name") var organizationName: String
    @Enum(key: "organization_kind") var organizationKind: OrganizationKind
    @Field(key: "contact_name") var contactName: String
    @Field(key: "contact_title") var contactTitle: String
    @Field(key: "contact_phone") var contactPhone: String
    /// Lower-cased.
    @Field(key: "contact_email") var contactEmail: String
    /// Goes up with every change of contact person, so the previous contact's links and sessions stop working.
    @Field(key: "contact_generation") var contactGeneration: Int
    @Field(key: "letter_number") var letterNumber: String
    /// ISO date.
    @Field(key: "letter_date") var letterDate: String
    @Field(key: "obligations_accepted_at") var obligationsAcceptedAt: Date
    /// The language the contact used; emails to the contact and to the card holders use it.
    @Field(key: "locale") var locale: String
    @Field(key: "submitted_at") var submittedAt: Date
    /// ISO date: 10 working days after submission, in the library's calendar.
    @Field(key: "due_on") var dueOn: String
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @OptionalField(key: "decided_by") var decidedBy: UUID?
    @OptionalField(key: "rejection_reason") var rejectionReason: String?

    init() {}

    var contact: GroupContact {
        GroupContact(name: contactName, title: contactTitle, phone: contactPhone, email: contactEmail)
    }

    var siteLocale: SiteLocale { SiteLocale(rawValue: locale) ?? .zhTW }
}
