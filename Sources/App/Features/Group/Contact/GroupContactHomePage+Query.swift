import Fluent
import Foundation
import OneCardDomain

extension GroupContactHomePage.Model {
    /// The home of `record`'s contact (the record loaded with its library) in `locale`, at `now`.
    static func query(_ record: GroupApplicationRecord, locale: SiteLocale, at now: Date, on database: any Database) async throws -> Self {
        let id = try record.requireID()
        let batches = try await GroupBatch.query(on: database).filter(\.$application.$id == id).sort(\.$receivedAt, .descending).all()
        let today = CalendarDay(date: now, timeZone: .taipei)
        let lastReturned = try await GroupRosterUpload.query(on: database).filter(\.$application.$id == id)
            .filter(\.$hasAnnotatedFile == true).sort(\.$uploadedAt, .descending).first()
        return Self(
            organization: record.organizationName, reference: record.reference,
            library: record.library.name(in: locale),
            contactName: record.contactName, contactEmail: record.contactEmail,
            batches: batches.map { GroupBatchView.summary($0, today: today, contactView: true) },
            lastReturned: lastReturned.map { SiteURL.groupContactUpload(id: .value($0.id!)).path })
    }
}
