import Fluent
import Foundation
import OneCardDomain

extension GroupQueuePage.Model {
    /// The queue of the library `libraryID` on `today`.
    static func query(libraryID: UUID, libraryName: String, today: CalendarDay, on database: any Database) async throws -> Self {
        func applicationRow(_ record: GroupApplicationRecord) -> Application {
            let due = CalendarDay(iso: record.dueOn) ?? today
            return .init(reference: record.reference, organization: record.organizationName,
                         kindKey: "group.kind.\(record.organizationKind.rawValue)", submitted: DisplayTime.minute(record.submittedAt),
                         due: record.dueOn, overdue: record.status == .submitted && GroupBatchSchedule.isOverdue(due: due, today: today),
                         statusKey: "group.application.status.\(record.status.rawValue)",
                         path: SiteURL.staffGroupApplication(id: .value(record.id!)).path)
        }
        let waiting = try await GroupApplicationRecord.query(on: database).filter(\.$library.$id == libraryID)
            .filter(\.$status == .submitted).sort(\.$dueOn).sort(\.$submittedAt).all()
        let approved = try await GroupApplicationRecord.query(on: database).filter(\.$library.$id == libraryID)
            .filter(\.$status == .approved).sort(\.$organizationName).limit(200).all()
        func batches(_ statuses: [GroupBatchStatus], recentFirst: Bool, limit: Int) async throws -> [Batch] {
            var query = GroupBatch.query(on: database)
                .join(GroupApplicationRecord.self, on: \GroupBatch.$application.$id == \GroupApplicationRecord.$id)
                .filter(GroupApplicationRecord.self, \.$library.$id == libraryID)
                .filter(\.$status ~~ statuses).with(\.$application)
            query = recentFirst ? query.sort(\.$receivedAt, .descending) : query.sort(\.$dueOn).sort(\.$receivedAt)
            return try await query.limit(limit).all().map {
                Batch(organization: $0.application.organizationName, batch: GroupBatchView.summary($0, today: today, contactView: false))
            }
        }
        return Self(
            library: libraryName, applications: waiting.map(applicationRow), queued: try await batches([.queued], recentFirst: false, limit: 1000),
            importing: try await batches([.importing], recentFirst: false, limit: 100),
            recent: try await batches([.completed, .rejected], recentFirst: true, limit: 20),
            organizations: approved.map(applicationRow), today: today.iso)
    }
}
