import Crypto
import Fluent
import Foundation
import Vapor

/// Queues partner notifications in the caller's transaction, one outbox message per event and partner,
/// partitioned per reader and partner so they are delivered in the order they happened.
///
/// The queued message holds references only (no name, no contact details): the body is built at
/// delivery time from the reader's current data, and personal data goes out only while the reader's link
/// with that partner is active. A link made and withdrawn before the partner's endpoint came back
/// therefore reaches the partner as two events without the reader's data.
enum PartnerEvents {
    struct Queued: Codable, Sendable {
        let eventID: UUID
        let type: PartnerEventType
        let occurredAt: Date
        let partnerLibraryID: UUID
        let patronID: UUID
        let homeLibraryID: UUID
        /// Kept in the message because an erased reader has no card number left to look up.
        let cardNumber: String?
    }

    static func enqueue(_ type: PartnerEventType, patron: Patron, partnerLibraryID: UUID, now: Date, on database: any Database) async throws {
        let queued = Queued(eventID: UUID(), type: type, occurredAt: now, partnerLibraryID: partnerLibraryID,
                            patronID: try patron.requireID(), homeLibraryID: patron.$library.id, cardNumber: patron.cardNumber)
        let payload = String(decoding: try JSONEncoder.partnerEvents.encode(queued), as: UTF8.self)
        let message = OutboxMessage(kind: .partnerEvent, partitionKey: "partner:\(partnerLibraryID.uuidString):patron:\(queued.patronID.uuidString)",
                                    payload: payload, now: now)
        message.partnerLibraryID = queued.partnerLibraryID
        message.homeLibraryID = queued.homeLibraryID
        try await message.create(on: database)
    }

    /// The partner libraries the reader has an active link with (city accounts have no partner system).
    static func linkedPartnerLibraries(of patron: Patron, on database: any Database) async throws -> [UUID] {
        let links = try await PartnerLink.query(on: database).filter(\.$patron.$id == patron.requireID())
            .filter(\.$status == .active).with(\.$partnerService).all()
        return links.compactMap { $0.partnerService.kind == .partnerLibrary ? $0.partnerService.$partnerLibrary.id : nil }
    }

    /// Tells every partner the reader is linked with.
    static func enqueueForLinkedPartners(_ type: PartnerEventType, patron: Patron, now: Date, on database: any Database) async throws {
        for library in try await linkedPartnerLibraries(of: patron, on: database) {
            try await enqueue(type, patron: patron, partnerLibraryID: library, now: now, on: database)
        }
    }
}
