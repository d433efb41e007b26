import Fluent
import Foundation

extension PartnerDeliveriesPage {
    /// The failing deliveries that concern the administrator's library, each with its partner's name.
    static func query(for staff: StaffMember, locale: SiteLocale, database: any Database, now: Date) async throws -> PartnerDeliveriesPage {
        let failing = try await PartnerDeliveries(database: database, now: now).failing(for: staff)
        let libraries = try await Library.query(on: database).all().reduce(into: [UUID: Library]()) { $0[$1.id!] = $1 }
        let rows = failing.map { message, queued in
            Row(id: message.id ?? 0,
                partner: libraries[queued.partnerLibraryID].map { $0.name(in: locale) } ?? "—",
                event: queued.type.rawValue, cardNumber: queued.cardNumber ?? "—", attempts: message.attempts,
                lastError: message.lastError ?? "", nextAttempt: DisplayTime.minute(message.availableAt, in: locale),
                gaveUp: message.status == .failed,
                retryPath: SiteURL.staffDeliveryRetry(id: .value(message.id ?? 0)).path)
        }
        return PartnerDeliveriesPage(rows: rows, retried: false)
    }
}
