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
        let messages = try await OutboxMessage.query(on: database).filter(\.$kind == .partnerEvent)
            .group(.or) { $0.filter(\.$status == .failed).group(.and) {
                $0.filter(\.$status == .pending).filter(\.$attempts >= Self.attemptsWorthShowing)
            } }
            .sort(\.$id).limit(1000).all()
        let scope = SystemsScope(staff: staff)
        return messages.compactMap { message in
            guard let queued = try? JSONDecoder.partnerEvents.decode(PartnerEvents.Queued.self, from: Data(message.payload.utf8)),
                  scope.admits(queued.partnerLibraryID) || scope.admits(queued.homeLibraryID)
            else { return nil }
            return (message, queued)
        }
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
