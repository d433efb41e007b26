import Fluent
import Foundation

/// A card linked with a 台北通 account: the provider's subject identifier (`sub`) for this reader.
/// `(issuer, subject)` is unique, so one Taipei Pass account signs in to at most one card; `patron_id` is
/// unique too, so a card has at most one Taipei Pass account. Written and removed together with the
/// `TAIPEI_PASS` partner link and its consent record.
final class TaipeiPassIdentity: Model, @unchecked Sendable {
    static let schema = "taipei_pass_identities"

    @ID(key: .id) var id: UUID?
    @Parent(key: "patron_id") var patron: Patron
    @Field(key: "issuer") var issuer: String
    @Field(key: "subject") var subject: String
    @Field(key: "linked_at") var linkedAt: Date
    @OptionalField(key: "last_signed_in_at") var lastSignedInAt: Date?

    init() {}

    init(patronID: UUID, issuer: String, subject: String, linkedAt: Date) {
        self.$patron.id = patronID
        self.issuer = issuer
        self.subject = subject
        self.linkedAt = linkedAt
    }
}
