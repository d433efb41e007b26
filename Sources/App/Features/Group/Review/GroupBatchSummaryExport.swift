import Fluent
import Foundation
import NIOPosix
import ReaderDataFile

/// A completed batch's summary (BatchSummary: who got which card, in the order of the file) as xlsx, for
/// the batch's reviewers and for its organization's contact. The file names people with their card
/// numbers: each download is on the trail, recorded here rather than by the page that offers it.
struct GroupBatchSummaryExport {
    let database: any Database
    /// The spreadsheet is written here, off the event loop: a batch may be large.
    let threadPool: NIOThreadPool
    /// The sheet's title, in the language of the one who downloads it.
    let localizer: Localizer
    let now: Date

    /// The summary for a reviewer of the batch's library (the caller has checked the library).
    func forReviewer(_ batch: GroupBatch, of record: GroupApplicationRecord, by staff: StaffMember, locale: SiteLocale,
                     ipAddress: String?) async throws -> Data {
        try await xlsx(batch, of: record, locale: locale, by: .staff(staff.requireID(), ipAddress: ipAddress), libraryID: staff.$library.id)
    }

    /// The summary for the signed-in contact of the batch's organization (the caller has checked the organization).
    func forContact(_ batch: GroupBatch, of record: GroupApplicationRecord, locale: SiteLocale, ipAddress: String?) async throws -> Data {
        try await xlsx(batch, of: record, locale: locale,
                       by: AuditActor(type: "group_contact", id: record.id?.uuidString, ipAddress: ipAddress), libraryID: record.$library.id)
    }

    /// `OneCardError.notFound` until the batch is completed: before that there is no list of cards to give.
    private func xlsx(_ batch: GroupBatch, of record: GroupApplicationRecord, locale: SiteLocale, by actor: AuditActor,
                      libraryID: UUID) async throws -> Data {
        guard batch.status == .completed else { throw OneCardError.notFound }
        let library = try await record.$library.get(on: database)
        let rows = try await GroupBatchView.summaryRows(batchID: batch.requireID(), on: database)
        let title = localizer.text("group.summary.title", locale, ["library": library.name(in: locale),
                                                                   "organization": record.organizationName, "reference": batch.reference,
                                                                   "letter": batch.letterNumber])
        let fileLocale = locale.readerDataFileLocale
        let bytes = try await threadPool.runIfActive {
            try BatchSummary.xlsx(rows: rows, title: title, locale: fileLocale)
        }
        try await AuditTrail.record("group_batch.summary_downloaded", by: actor, subject: ("group_batch", batch.id!.uuidString),
                                    libraryID: libraryID, at: now, on: database)
        return bytes
    }
}
