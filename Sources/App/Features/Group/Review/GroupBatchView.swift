import Fluent
import Foundation
import OneCardDomain
import ReaderDataFile
import SQLKit
import Vapor

/// What the contact's and the reviewers' pages show of a batch.
enum GroupBatchView {
    struct Summary: Encodable {
        let id: String
        let reference: String
        let letterNumber: String
        let letterDate: String
        let status: String
        let statusKey: String
        let received: String
        let target: String
        let due: String
        /// Waiting for a decision past its due day.
        let overdue: Bool
        let rows: Int
        let imported: Int
        let skipped: Int
        let leftOutCount: Int
        let rejectionReason: String?
        let path: String
        var queuePosition: Int?
    }

    static func summary(_ batch: GroupBatch, today: CalendarDay, contactView: Bool) -> Summary {
        let due = CalendarDay(iso: batch.dueOn) ?? today
        let id = batch.id!.uuidString
        return Summary(
            id: id, reference: batch.reference, letterNumber: batch.letterNumber, letterDate: batch.letterDate,
            status: batch.status.rawValue, statusKey: "group.batch.status.\(batch.status.rawValue)",
            received: DisplayTime.minute(batch.receivedAt), target: batch.targetOn, due: batch.dueOn,
            overdue: batch.status.awaitsDecision && GroupBatchSchedule.isOverdue(due: due, today: today),
            rows: batch.rowCount, imported: batch.importedCount, skipped: batch.skippedCount,
            leftOutCount: leftOutRows(batch).count, rejectionReason: batch.rejectionReason,
            path: contactView ? SiteURL.groupContactBatch(id: .value(batch.id!)).path : SiteURL.staffGroupBatch(id: .value(batch.id!)).path,
            queuePosition: nil)
    }

    static func leftOutRows(_ batch: GroupBatch) -> [GroupLeftOutRow] {
        decodeLeftOut(batch.leftOut)
    }

    static func decodeLeftOut(_ json: String?) -> [GroupLeftOutRow] {
        guard let json else { return [] }
        return (try? JSONDecoder().decode([GroupLeftOutRow].self, from: Data(json.utf8))) ?? []
    }

    struct LeftOut: Encodable {
        let row: Int
        let name: String
        let reason: String
    }

    static func leftOut(_ json: String?, locale: SiteLocale, localizer: Localizer) -> [LeftOut] {
        decodeLeftOut(json).map { LeftOut(row: $0.row, name: $0.name, reason: localizer.text("group.left_out.\($0.code)", locale)) }
    }

    /// 1 for the batch that is next in its library's queue: queued batches are worked in order of arrival.
    static func queuePosition(_ batch: GroupBatch, libraryID: UUID, on database: any Database) async throws -> Int? {
        guard batch.status == .queued else { return nil }
        let ahead = try await GroupBatch.query(on: database)
            .join(GroupApplicationRecord.self, on: \GroupBatch.$application.$id == \GroupApplicationRecord.$id)
            .filter(GroupApplicationRecord.self, \.$library.$id == libraryID)
            // Not itself: a time read back from the database may compare a hair later than it was stored.
            .filter(\.$status == .queued).filter(\.$id != batch.requireID()).filter(\.$receivedAt < batch.receivedAt).count()
        return ahead + 1
    }

    /// Who got which card, in the order of the file: the rows imported, with their holders' card numbers.
    static func summaryRows(batchID: UUID, on database: any Database) async throws -> [BatchSummary.Row] {
        let sql = database as! any SQLDatabase
        let rows = try await sql.select()
            .column(SQLColumn("sequence", table: GroupBatchRow.schema)).column(SQLColumn("name", table: Patron.schema))
            .column(SQLColumn("card_number", table: Patron.schema)).column(SQLColumn("role", table: GroupBatchRow.schema))
            .column(SQLColumn("unit", table: GroupBatchRow.schema))
            .from(GroupBatchRow.schema)
            .join(Patron.schema, on: SQLColumn("patron_id", table: GroupBatchRow.schema), .equal, SQLColumn("id", table: Patron.schema))
            .where(SQLColumn("batch_id", table: GroupBatchRow.schema), .equal, SQLBind(batchID))
            .where(SQLColumn("status", table: GroupBatchRow.schema), .equal, SQLBind(GroupBatchRow.Status.imported.rawValue))
            .orderBy(SQLColumn("row_number", table: GroupBatchRow.schema))
            .all()
        return try rows.compactMap { row in
            // A holder who has since had their data erased is no longer listed.
            guard let card = try row.decodeNil(column: "card_number") ? nil : row.decode(column: "card_number", as: String.self) else { return nil }
            return BatchSummary.Row(
                sequence: try row.decode(column: "sequence", as: String?.self), name: try row.decode(column: "name", as: String.self),
                cardNumber: card, role: ReaderRole(rawValue: try row.decode(column: "role", as: String.self)) ?? .student,
                unit: try row.decode(column: "unit", as: String?.self))
        }
    }
}
