import Foundation

/// A test delivery to a partner's endpoint (issue #14 item 6): an administrator checks the URL and the
/// secret without waiting for a reader to link. It is signed and sent exactly as the events are, with
/// `OneCard-Event: ping`, and carries no reader: only who sent it and when.
struct PartnerPing: Codable, Sendable {
    static let eventType = "ping"

    /// Also the `Idempotency-Key`.
    let id: UUID
    let type: String
    let occurredAt: Date
    /// The partner library's code, as in the events.
    let partner: String

    /// What the outbox message holds: the endpoint's library, so the body names its code at delivery.
    struct Queued: Codable, Sendable {
        let eventID: UUID
        let occurredAt: Date
        let partnerLibraryID: UUID
    }
}
