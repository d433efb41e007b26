import Fluent
import Foundation
import NIOPosix
import ReaderDataFile

/// A report's table as an xlsx or csv file (issue #14 item 4), written with `ReaderDataFile`'s writers. The
/// figures are counts, not people, but which library's work an administrator took away is still on the trail.
struct ReportDownload {
    enum Format: String, CaseIterable, Sendable {
        case xlsx
        case csv
    }

    let database: any Database
    /// The file is written here, off the event loop: a two-year daily table is a few thousand cells.
    let threadPool: NIOThreadPool
    let now: Date

    func file(_ table: ReportTable, kind: ReportKind, format: Format, range: ReportRange, scope: String,
              by staff: StaffMember, ipAddress: String?) async throws -> Data {
        let bytes = try await threadPool.runIfActive {
            let writer: any SpreadsheetWriter = switch format {
            case .xlsx: try XLSXWriter()
            case .csv: CSVWriter()
            }
            try Self.write(table, scope: scope, titled: format == .xlsx, to: writer)
            return try writer.finish()
        }
        try await AuditTrail.record("report.downloaded", by: .staff(staff.requireID(), ipAddress: ipAddress),
                                    subject: ("report", kind.rawValue), libraryID: staff.$library.id,
                                    details: ["format": format.rawValue, "from": range.from.iso, "to": range.to.iso,
                                              "library": range.library?.code ?? "all"],
                                    at: now, on: database)
        return bytes
    }

    /// xlsx: a title line naming the report and its scope above the header row; csv: the header row and the
    /// figures only, for programs to read.
    static func write(_ table: ReportTable, scope: String, titled: Bool, to writer: any SpreadsheetWriter) throws(SpreadsheetWriterError) {
        try writer.beginSheet(SpreadsheetSheet(
            name: table.title, columns: [SpreadsheetColumn(width: 34)] + table.columns.dropFirst().map { _ in SpreadsheetColumn(width: 16) },
            frozenRows: titled ? 2 : 1))
        if titled { try writer.appendRow([.text("\(table.title) — \(scope)", column: 0, style: .title)]) }
        try writer.appendRow(texts: table.columns, style: .header)
        for row in table.rows {
            try writer.appendRow(row.enumerated().map { column, cell in
                cell.number.map { SpreadsheetCell.number($0, column: column) } ?? .text(cell.text, column: column)
            })
        }
    }
}
