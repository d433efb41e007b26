import Fluent
import Foundation

extension StaffRequestsPage.Model {
    /// The pending requests of `staff`'s library, oldest first. The list shows readers' names and card
    /// numbers, a read of personal data: it is audited.
    static func query(by staff: StaffMember, ipAddress: String?, at now: Date, on database: any Database) async throws -> Self {
        let requests = try await PatronRequest.query(on: database).filter(\.$status == .pending)
            .join(Patron.self, on: \PatronRequest.$patron.$id == \Patron.$id)
            .filter(Patron.self, \.$library.$id == staff.$library.id)
            .with(\.$patron).sort(\.$requestedAt).all()
        try await AuditTrail.record("patron_requests.viewed", by: .staff(staff.id!, ipAddress: ipAddress),
                                    libraryID: staff.$library.id, details: ["count": String(requests.count)], at: now, on: database)
        let rows = requests.map {
            Row(id: $0.id!.uuidString, kind: $0.kind.rawValue, cardNumber: $0.patron.cardNumber ?? "—", name: $0.patron.name,
                requestedName: $0.requestedName, note: $0.note, requestedAt: DisplayTime.minute($0.requestedAt),
                canDecide: PatronAccountService.mayDecide($0.kind, by: staff),
                decisionPath: SiteURL.staffRequestDecision(id: .value($0.id!)).path)
        }
        return Self(rows: rows)
    }
}
