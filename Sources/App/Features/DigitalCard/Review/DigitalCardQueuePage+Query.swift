import Fluent
import Foundation
import OneCardDomain

extension DigitalCardQueuePage {
    /// The submitted applications, the soonest due first, overdue marked; looking at the queue (names
    /// and application numbers) is audited with how many were shown.
    static func query(by staff: StaffMember, ipAddress: String?, database: any Database, now: Date) async throws -> DigitalCardQueuePage {
        let applications = try await DigitalCardApplication.query(on: database).filter(\.$status == .submitted)
            .with(\.$patron).sort(\.$dueOn).sort(\.$submittedAt).all()
        try await AuditTrail.record("digital_card.queue_viewed", by: .staff(staff.id!, ipAddress: ipAddress),
                                    libraryID: staff.$library.id, details: ["count": String(applications.count)], at: now, on: database)
        let today = CalendarDay(date: now, timeZone: .taipei).iso
        let rows = applications.map {
            Row(id: $0.id!.uuidString, applicationNumber: $0.patron.applicationNumber, name: $0.patron.name,
                submittedAt: DisplayTime.minute($0.submittedAt), dueOn: $0.dueOn,
                overdue: $0.dueOn < today, dueToday: $0.dueOn == today,
                documentSetKey: "digital.document_set.\($0.documentSet)",
                path: SiteURL.staffDigitalCard(id: .value($0.id!)).path)
        }
        return DigitalCardQueuePage(rows: rows, notice: nil)
    }
}
