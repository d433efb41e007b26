import Fluent
import Foundation

/// A patron's link to a partner service (一證通用), with the consent that allows it.
final class PartnerLink: Model, @unchecked Sendable {
    static let schema = "partner_links"

    enum Status: String, Codable, Sendable {
        /// Chosen in an online application; becomes active with the card.
        case pending
        case active
        case withdrawn
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "patron_id") var patron: Patron
    @Parent(key: "partner_service_id") var partnerService: PartnerService
    @Enum(key: "status") var status: Status
    @Parent(key: "consent_record_id") var consentRecord: ConsentRecord
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "activated_at") var activatedAt: Date?

    init() {}

    init(patronID: UUID, partnerServiceID: UUID, consentRecordID: UUID, status: Status, createdAt: Date) {
        self.$patron.id = patronID
        self.$partnerService.id = partnerServiceID
        self.$consentRecord.id = consentRecordID
        self.status = status
        self.createdAt = createdAt
    }
}
