import Fluent
import Foundation

/// Something a reader asks of their library that staff decide: a change of name (checked against an
/// ID document), or the erasure of their data.
final class PatronRequest: Model, @unchecked Sendable {
    static let schema = "patron_requests"

    enum Kind: String, Codable, Sendable, CaseIterable {
        case nameChange = "name_change"
        case deletion
    }

    enum Status: String, Codable, Sendable {
        case pending
        case approved
        case rejected
        /// The reader took it back before staff decided.
        case cancelled
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "patron_id") var patron: Patron
    @Enum(key: "kind") var kind: Kind
    @Enum(key: "status") var status: Status
    /// `<patron id>:<kind>` while pending, nil once decided: unique, so a reader has at most one open
    /// request of each kind even when two arrive at once.
    @OptionalField(key: "open_key") var openKey: String?
    /// For a name change: the name asked for.
    @OptionalField(key: "requested_name") var requestedName: String?
    /// What the reader wrote to explain it.
    @OptionalField(key: "note") var note: String?
    @Field(key: "requested_at") var requestedAt: Date
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @OptionalField(key: "decided_by") var decidedBy: UUID?
    @OptionalField(key: "decision_reason") var decisionReason: String?

    init() {}

    init(patronID: UUID, kind: Kind, requestedName: String?, note: String?, now: Date) {
        self.$patron.id = patronID
        self.kind = kind
        self.status = .pending
        self.openKey = "\(patronID.uuidString):\(kind.rawValue)"
        self.requestedName = requestedName
        self.note = note
        self.requestedAt = now
    }
}
