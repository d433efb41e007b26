import Fluent
import Foundation

/// Partner notifications that keep failing, as an administrator sees and retries them: those that
/// concern their library, as the receiving partner or as the readers' home library (every library's, for the
/// consortium administrator).
struct PartnerDeliveries {
    /// From the third failed attempt on, a delivery is worth a look.
    static let attemptsWorthShowing = 3

    let database: any Database
    let now: Date

    func failing(for staff: StaffMember) async throws -> [(OutboxMessage, PartnerEvents.Queued)] {
        let messages = try await failingQuery(for: SystemsScope(staff: staff).libraryID).sort(\.$id).limit(1000).all()
        return messages.compactMap { message in
            guard let queued = try? JSONDecoder.partnerEvents.decode(PartnerEvents.Queued.self, from: Data(message.payload.utf8))
            else { return nil }
            return (message, queued)
        }
    }

    /// The failing deliveries that concern `library` (every library's when nil, for the consortium
    /// administrator), chosen in SQL by the message's library columns (indexed), so the dashboard counts them
    /// without reading any.
    func failingQuery(for library: UUID?) -> QueryBuilder<OutboxMessage> {
        let query = OutboxMessage.query(on: database).filter(\.$kind == .partnerEvent)
            .group(.or) { $0.filter(\.$status == .failed).group(.and) {
                $0.filter(\.$status == .pending).filter(\.$attempts >= Self.attemptsWorthShowing)
            } }
        guard let library else { return query }
        return query.group(.or) { $0.filter(\.$partnerLibraryID == library).filter(\.$homeLibraryID == library) }
    }

    /// Tries a failing delivery again now, from its first attempt; audited. Only one the administrator
    /// may see is found.
    func retry(_ id: Int?, by staff: StaffMember, ipAddress: String?) async throws {
        guard let id, let (message, _) = try await failing(for: staff).first(where: { $0.0.id == id })
        else { throw OneCardError.notFound }
        try await database.transaction { db in
            message.status = .pending
            message.attempts = 0
            message.availableAt = now
            message.claimedUntil = nil
            try await message.save(on: db)
            try await AuditTrail.record("partner_delivery.retried", by: .staff(staff.id!, ipAddress: ipAddress),
                                        subject: ("outbox_message", String(id)), libraryID: staff.$library.id, at: now, on: db)
        }
    }
}
