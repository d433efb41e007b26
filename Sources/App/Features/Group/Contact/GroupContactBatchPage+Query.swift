import Fluent
import Foundation
import OneCardDomain

extension GroupContactBatchPage.Model {
    /// Batch `id` of `record` in `locale`, at `now`; `OneCardError.notFound` for another organization's batch.
    static func query(batch id: UUID, of record: GroupApplicationRecord, received: Bool, locale: SiteLocale, localizer: Localizer,
                      at now: Date, on database: any Database) async throws -> Self {
        let batch = try await record.batch(id, on: database)
        let today = CalendarDay(date: now, timeZone: .taipei)
        var summary = GroupBatchView.summary(batch, today: today, contactView: true)
        summary.queuePosition = try await GroupBatchView.queuePosition(batch, libraryID: record.$library.id, on: database)
        return Self(
            organization: record.organizationName, batch: summary,
            leftOut: GroupBatchView.leftOut(batch.leftOut, locale: locale, localizer: localizer),
            received: received,
            summaryPath: batch.status == .completed ? SiteURL.groupContactBatchSummary(id: .value(batch.id!)).path : nil)
    }
}
