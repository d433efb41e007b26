import Fluent
import Foundation

/// One entry of the audit trail: who did what to which record, when, and from where.
/// Details never hold personal data in clear; records are named by id.
final class AuditEvent: Model, @unchecked Sendable {
    static let schema = "audit_events"

    @ID(key: .id) var id: UUID?
    @Field(key: "occurred_at") var occurredAt: Date
    /// `staff`, `reader`, `api_client`, `system`.
    @Field(key: "actor_type") var actorType: String
    @OptionalField(key: "actor_id") var actorID: String?
    /// Dotted verb, e.g. `staff.sign_in`, `patron.viewed`.
    @Field(key: "action") var action: String
    @OptionalField(key: "subject_type") var subjectType: String?
    @OptionalField(key: "subject_id") var subjectID: String?
    /// The library whose data this concerns, so each library audits its own.
    @OptionalField(key: "library_id") var libraryID: UUID?
    @OptionalField(key: "ip_address") var ipAddress: String?
    /// Small JSON object of non-personal facts (outcome, reason code …).
    @OptionalField(key: "details") var details: String?

    init() {}
}
