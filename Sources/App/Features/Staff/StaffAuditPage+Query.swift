import Fluent
import Foundation

extension StaffAuditPage.Model {
    /// The latest 200 entries of `staff`'s library. Looking is itself audited, after the read, so the
    /// page shows the entries as they were before this look.
    static func query(by staff: StaffMember, libraryName: String, ipAddress: String?, at now: Date,
                      on database: any Database) async throws -> Self {
        let events = try await AuditEvent.query(on: database)
            .filter(\.$libraryID == staff.$library.id)
            .sort(\.$occurredAt, .descending)
            .limit(200)
            .all()
        try await AuditTrail.record("audit.viewed", by: .staff(staff.id!, ipAddress: ipAddress),
                                    libraryID: staff.$library.id, at: now, on: database)
        // Staff are shown by their account name; other actors by kind and id.
        let staffIDs = Set(events.filter { $0.actorType == "staff" }.compactMap { $0.actorID.flatMap(UUID.init(uuidString:)) })
        let emails = try await StaffMember.query(on: database).filter(\.$id ~~ staffIDs).all()
            .reduce(into: [String: String]()) { $0[$1.id!.uuidString] = $1.email }
        let rows = events.map {
            Row(
                time: DisplayTime.second($0.occurredAt),
                actor: $0.actorID.flatMap { emails[$0] } ?? [$0.actorType, $0.actorID].compactMap { $0 }.joined(separator: " "),
                action: $0.action,
                subject: [$0.subjectType, $0.subjectID].compactMap { $0 }.joined(separator: " "),
                ipAddress: $0.ipAddress ?? ""
            )
        }
        return Self(library: libraryName, rows: rows)
    }
}
