import Fluent
import Foundation

/// That a person agreed to one version of a consent document: when, through which channel, and
/// when (if ever) they withdrew it.
final class ConsentRecord: Model, @unchecked Sendable {
    static let schema = "consent_records"

    @ID(key: .id) var id: UUID?
    @Parent(key: "patron_id") var patron: Patron
    @Parent(key: "document_id") var document: ConsentDocument
    @Field(key: "given_at") var givenAt: Date
    /// `web`, `api`, `desk`.
    @Field(key: "channel") var channel: String
    @OptionalField(key: "withdrawn_at") var withdrawnAt: Date?
    /// The signed statement through which the consent was given on the person's behalf (a group
    /// application's `GroupDocument`), when it was not given by the person on this site.
    @OptionalField(key: "evidence_document_id") var evidenceDocumentID: UUID?

    init() {}

    init(patronID: UUID, documentID: UUID, givenAt: Date, channel: String) {
        self.$patron.id = patronID
        self.$document.id = documentID
        self.givenAt = givenAt
        self.channel = channel
    }
}
