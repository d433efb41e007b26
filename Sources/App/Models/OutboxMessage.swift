import Fluent
import Foundation

/// A side effect that leaves the process (an email, a partner notification), written in the same
/// transaction as the change that caused it and delivered afterwards by `OutboxWorker`.
final class OutboxMessage: Model, @unchecked Sendable {
    static let schema = "outbox_messages"

    enum Kind: String, Codable, Sendable {
        case email
        case partnerEvent = "partner_event"
        /// A one-time link asked for by email, answered by the worker (`LinkRequest`).
        case linkRequest = "link_request"
        /// A partner system's test delivery, asked for by an administrator (`PartnerPing`): signed like the
        /// events, delivered at once, never retried, so it neither waits behind nor holds up a reader's events.
        case partnerPing = "partner_ping"
    }

    enum Status: String, Codable, Sendable {
        case pending
        case delivered
        case failed
    }

    /// Increasing, so delivery can keep the order in which changes happened.
    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Enum(key: "kind") var kind: Kind
    /// Messages with the same key are delivered one at a time, oldest first (e.g. per patron).
    @OptionalField(key: "partition_key") var partitionKey: String?
    /// JSON; for email the rendered message, for partner events the signed body's content.
    @Field(key: "payload") var payload: String
    /// An email's one-time link, sealed with the vault (`OutboxSecrets`) while the message waits; the
    /// payload holds a placeholder in its place. Deleted once the message is delivered or given up.
    @OptionalField(key: "secrets_sealed") var secretsSealed: String?
    /// An email emptied down to its Message-ID and date as soon as it is delivered or given up, rather than
    /// after `PatronMail.deliveredRetentionDays`: the notice to a person whose data was just erased, which
    /// would otherwise be the one row still holding their name and address. Housekeeping clears the mark
    /// once it has removed the message's mail-drop copy (`PatronMail.emptyDelivered`).
    @Field(key: "emptied_once_sent") var emptiedOnceSent: Bool
    /// A partner event's libraries, also inside its payload, kept as columns so the back office counts and
    /// lists the failing deliveries of one library in SQL (`PartnerDeliveries`); nil for other kinds.
    @OptionalField(key: "partner_library_id") var partnerLibraryID: UUID?
    @OptionalField(key: "home_library_id") var homeLibraryID: UUID?
    @Enum(key: "status") var status: Status
    @Field(key: "attempts") var attempts: Int
    @Field(key: "available_at") var availableAt: Date
    @OptionalField(key: "claimed_until") var claimedUntil: Date?
    @OptionalField(key: "last_error") var lastError: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "delivered_at") var deliveredAt: Date?

    init() {}

    init(kind: Kind, partitionKey: String?, payload: String, now: Date) {
        self.kind = kind
        self.partitionKey = partitionKey
        self.payload = payload
        self.emptiedOnceSent = false
        self.status = .pending
        self.attempts = 0
        self.availableAt = now
        self.createdAt = now
    }
}
