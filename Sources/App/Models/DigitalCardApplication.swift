import Fluent
import Foundation

/// An individual's application for a digital card (數位借閱證): either reviewed from uploaded
/// identity documents within 3 working days, or verified at once with a citizen digital certificate.
/// The decision record stays when the uploaded files are erased.
final class DigitalCardApplication: Model, @unchecked Sendable {
    static let schema = "digital_card_applications"

    enum Method: String, Codable, Sendable {
        case documents
        case certificate
    }

    enum Status: String, Codable, Sendable {
        /// Waiting for a reviewer.
        case submitted
        /// Returned for correction (補件): the applicant uploads again through an emailed link.
        case returned
        case approved
        case rejected
    }

    @ID(key: .id) var id: UUID?
    /// The pending (later active) digital card; one application per person.
    @Parent(key: "patron_id") var patron: Patron
    @Enum(key: "method") var method: Method
    @Enum(key: "status") var status: Status
    /// DigitalCardDocumentSet raw value.
    @Field(key: "document_set") var documentSet: String
    @OptionalField(key: "guardian_name") var guardianName: String?
    @OptionalField(key: "guardian_relation") var guardianRelation: String?
    @Field(key: "submitted_at") var submittedAt: Date
    /// ISO day: 3 working days after (re)submission on the reviewing library's calendar.
    @Field(key: "due_on") var dueOn: String
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @OptionalField(key: "decided_by") var decidedBy: UUID?
    /// For a rejection or a return: what the applicant is told.
    @OptionalField(key: "decision_reason") var decisionReason: String?
    /// SHA-256 of the correction link's token, while returned.
    @OptionalField(key: "correction_token_hash") var correctionTokenHash: String?
    @OptionalField(key: "correction_expires_at") var correctionExpiresAt: Date?
    /// For the certificate path: the certificate's serial and issuer, as evidence.
    @OptionalField(key: "certificate_serial") var certificateSerial: String?
    @OptionalField(key: "certificate_issuer") var certificateIssuer: String?
    /// When the uploaded files were erased (retention after the decision).
    @OptionalField(key: "files_erased_at") var filesErasedAt: Date?

    init() {}
}
