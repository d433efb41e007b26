import Fluent
import Foundation
import ReaderDataFile

extension GroupContactUploadPage.Model {
    /// Page `requested` of the errors of `record`'s returned upload `id`, in `locale`; `OneCardError.notFound`
    /// for another organization's upload or one that was accepted.
    static func query(upload id: UUID, of record: GroupApplicationRecord, page requested: Int?, locale: SiteLocale,
                      localizer: Localizer, on database: any Database) async throws -> Self {
        let upload = try await record.returnedUpload(id, on: database)
        let errors = try upload.errors.map { try JSONDecoder().decode([RowError].self, from: Data($0.utf8)) } ?? []
        let errorsPerPage = GroupContactUploadPage.errorsPerPage
        let pagination = Pagination(total: errors.count, pageSize: errorsPerPage, requested: requested)
        let shown = errors.dropFirst(pagination.offset).prefix(errorsPerPage)
        let path = SiteURL.groupContactUpload(id: .value(upload.id!)).path
        return Self(
            organization: record.organizationName, uploadedAt: DisplayTime.minute(upload.uploadedAt, in: locale),
            letterNumber: upload.letterNumber, rows: upload.rowCount, errorCount: errors.count,
            errors: shown.map { .init(row: $0.row, column: $0.column,
                                      message: GroupMessages.rowErrorMessage($0, locale: locale, localizer: localizer)) },
            pages: pagination.links(path: path),
            firstShown: errors.isEmpty ? 0 : pagination.offset + 1,
            lastShown: pagination.offset + shown.count,
            // A returned file is not looked up in the consortium (issue #12 item 2); files returned before
            // that may still hold what was: it is not shown.
            leftOut: upload.outcome == .returned ? [] : GroupBatchView.leftOut(upload.leftOut, locale: locale, localizer: localizer),
            annotatedPath: upload.hasAnnotatedFile ? SiteURL.groupContactUploadReturned(id: .value(upload.id!)).path : nil,
            nobodyLeft: upload.outcome == .nobodyToRegister || errors.isEmpty,
            letterUsed: upload.outcome == .nobodyToRegister)
    }
}
