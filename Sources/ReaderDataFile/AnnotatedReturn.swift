import Foundation

/// The contact's own file, back to them as xlsx when it is returned (退回): the data sheet as the checker
/// read it, every row at its original row number (title rows included), an added last column
/// 錯誤說明 with each row's messages joined by "；", and the cells in error filled red. Errors about a
/// column that is missing altogether have no cell to mark: they are explained in the first row. A second
/// sheet lists every error by row and column.
///
/// ```swift
/// var report = try checker.check(contentsOf: upload)
/// report.reject(row: 7, column: .idNumber, code: "card_exists", message: "已持有借閱證")  // the app's own checks
/// if !report.isClean {
///     let returned = try AnnotatedReturn.xlsx(contentsOf: upload, report: report, checker: checker)
/// }
/// ```
///
/// The file is read twice more, streaming, as the checker reads it: once to measure the data sheet
/// (its widest row decides where 錯誤說明 goes), once to copy it into an `XLSXWriter`, which writes to
/// a temporary file as rows come. Memory stays bounded by the report's errors, not by the file.
/// Cell values are written as text as they were read (dates as `2011-05-03`), in text-formatted cells,
/// so the returned file checks the same as the original.
public enum AnnotatedReturn {
    /// Throws `ReaderDataFileError` when the file can no longer be read, `SpreadsheetWriterError` when the
    /// returned file cannot be written.
    public static func xlsx(contentsOf url: URL, report: ReaderDataFileReport, checker: ReaderDataFileChecker,
                            locale: ReaderDataFileLocale = .zhTW) throws -> Data {
        try xlsx(source: .file(url), report: report, checker: checker, locale: locale)
    }

    /// The same for a file held in memory (e.g. an upload).
    public static func xlsx(data: Data, report: ReaderDataFileReport, checker: ReaderDataFileChecker,
                            locale: ReaderDataFileLocale = .zhTW) throws -> Data {
        try xlsx(source: .data(data), report: report, checker: checker, locale: locale)
    }

    /// The header of the added column: 錯誤說明, or Errors.
    public static func errorColumnHeader(locale: ReaderDataFileLocale) -> String {
        locale == .zhTW ? "錯誤說明" : "Errors"
    }

    /// The name of the sheet that lists every error: 錯誤清單, or Error list.
    public static func errorListSheetName(locale: ReaderDataFileLocale) -> String {
        locale == .zhTW ? "錯誤清單" : "Error list"
    }

    /// Joins the messages of one row.
    static let separator = "；"

    static func xlsx(source: InputSource, report: ReaderDataFileReport, checker: ReaderDataFileChecker,
                     locale: ReaderDataFileLocale) throws -> Data {
        // Which sheet: the data sheet; without a header row, the first sheet the checker looked at.
        let wanted = report.format == .csv ? nil : report.sheetName

        var survey = SheetSurvey(wanted: wanted)
        try read(source, checker: checker, into: &survey)
        let errorColumn = min(survey.maximumColumn + 1, SpreadsheetSheet.maximumColumns - 1)

        let writer = try XLSXWriter()
        var columns = (0..<errorColumn).map { column in
            SpreadsheetColumn(width: Double(min(max((survey.widths[column] ?? 8) + 2, 6), 40)), style: .text)
        }
        columns.append(SpreadsheetColumn(width: 60, style: .wrapped))
        let sheetName = survey.sheetName.flatMap { $0.isEmpty ? nil : $0 } ?? ReaderDataFileTemplate.dataSheetName(locale: locale)
        try writer.beginSheet(SpreadsheetSheet(name: sheetName, columns: columns, frozenRows: report.headerRow ?? 0))
        var copier = SheetCopier(wanted: wanted, writer: writer, report: report, errorColumn: errorColumn,
                                 label: errorColumnHeader(locale: locale))
        try read(source, checker: checker, into: &copier)
        try copier.finishSheet()

        try writeErrorList(report, to: writer, locale: locale)
        return try writer.finish()
    }

    private static func read(_ source: InputSource, checker: ReaderDataFileChecker, into consumer: inout some RowConsumer) throws {
        do {
            try checker.read(try checker.detect(source), from: source, into: &consumer)
        } catch {
            throw ReaderDataFileChecker.mapped(error)
        }
    }

    private static func writeErrorList(_ report: ReaderDataFileReport, to writer: XLSXWriter,
                                       locale: ReaderDataFileLocale) throws(SpreadsheetWriterError) {
        let headers = locale == .zhTW ? ["列", "欄位", errorColumnHeader(locale: locale)] : ["Row", "Column", "Error"]
        try writer.beginSheet(SpreadsheetSheet(
            name: errorListSheetName(locale: locale),
            columns: [SpreadsheetColumn(width: 8), SpreadsheetColumn(width: 16, style: .text), SpreadsheetColumn(width: 80, style: .wrapped)],
            frozenRows: 1))
        try writer.appendRow(texts: headers, style: .header)
        for error in report.errors.prefix(SpreadsheetSheet.maximumRows - 1) {
            try writer.appendRow([
                .number(Double(error.row), column: 0),
                .text(error.column, column: 1),
                .text(error.message, column: 2, style: .wrapped),
            ])
        }
    }

    /// How wide a text looks: CJK and full-width characters take two columns.
    static func displayWidth(_ text: String) -> Int {
        var width = 0
        for scalar in text.unicodeScalars {
            width += scalar.value >= 0x2E80 && !(0xFF61...0xFFDC).contains(scalar.value) ? 2 : 1
            if width >= 80 { break }
        }
        return width
    }
}

/// Whether a sheet is the one to copy: the named one, or (no name) the first one begun.
private struct SheetChoice {
    let wanted: String?
    private(set) var active = false
    private(set) var done = false
    private(set) var sheetName: String?

    init(wanted: String?) {
        self.wanted = wanted
    }

    mutating func begin(_ name: String) {
        active = !done && (wanted == nil || wanted == name)
        if active { sheetName = name }
    }

    /// True when the chosen sheet has ended, so the reader may stop.
    mutating func end() -> Bool {
        if active {
            active = false
            done = true
        }
        return done
    }
}

/// First pass: how wide the data sheet is, and how wide its columns' texts are.
private struct SheetSurvey: RowConsumer {
    /// Columns whose text width is measured; wider sheets are rare and get default widths.
    static let measuredColumns = 1024

    private var choice: SheetChoice
    private(set) var maximumColumn = -1
    private(set) var widths: [Int: Int] = [:]

    var sheetName: String? { choice.sheetName }

    init(wanted: String?) {
        choice = SheetChoice(wanted: wanted)
    }

    mutating func beginSheet(named name: String) {
        choice.begin(name)
    }

    mutating func consume(_ row: SheetRow) throws -> RowDisposition {
        guard choice.active else { return .skipSheet }
        guard row.number <= SpreadsheetSheet.maximumRows else { return .more }
        for cell in row.cells where !cell.value.isBlank {
            maximumColumn = max(maximumColumn, min(cell.column, SpreadsheetSheet.maximumColumns - 2))
            if cell.column < Self.measuredColumns {
                widths[cell.column] = max(widths[cell.column] ?? 0, AnnotatedReturn.displayWidth(cell.value.text))
            }
        }
        return .more
    }

    mutating func endSheet() throws -> Bool {
        choice.end()
    }
}

/// Second pass: copies the data sheet's rows into the writer as they come, with the errors.
private struct SheetCopier: RowConsumer {
    private var choice: SheetChoice
    private let writer: XLSXWriter
    private let errorColumn: Int
    private let headerRow: Int?
    /// The row that holds the added column's header (and, without a header row, the missing columns).
    private let labelRow: Int
    private let label: String
    private var errorsByRow: [Int: [RowError]] = [:]
    /// Rows that need a note, in order, and how many of them are written.
    private let annotatedRows: [Int]
    private var nextAnnotated = 0
    private var lastWritten = 0
    /// Header positions, filled in when the header row goes by.
    private var positionOfText: [String: Int] = [:]
    private var positionsOfField: [ReaderColumn: [Int]] = [:]
    /// Why writing stopped: kept here, since the readers would report any error thrown through them as a damaged file.
    private(set) var failure: SpreadsheetWriterError?

    init(wanted: String?, writer: XLSXWriter, report: ReaderDataFileReport, errorColumn: Int, label: String) {
        choice = SheetChoice(wanted: wanted)
        self.writer = writer
        self.errorColumn = errorColumn
        self.headerRow = report.headerRow
        self.label = label
        labelRow = report.headerRow ?? 1
        for error in report.errors where error.row >= 1 && error.row <= SpreadsheetSheet.maximumRows {
            // A missing column has no cell: say so in the first row.
            let row = error.code == "header_missing" ? 1 : error.row
            errorsByRow[row, default: []].append(error)
        }
        annotatedRows = Set(errorsByRow.keys).union([labelRow]).sorted()
    }

    mutating func beginSheet(named name: String) {
        choice.begin(name)
    }

    mutating func consume(_ row: SheetRow) throws -> RowDisposition {
        guard choice.active, failure == nil else { return .skipSheet }
        guard row.number > lastWritten, row.number <= SpreadsheetSheet.maximumRows else { return .more }
        do {
            try writeAnnotations(before: row.number)
            if row.number == headerRow { learnHeader(row) }
            try write(row.number, cells: row.cells)
        } catch {
            failure = error
            return .skipSheet
        }
        return .more
    }

    mutating func endSheet() throws -> Bool {
        let wasActive = choice.active
        let done = choice.end()
        if wasActive, failure == nil {
            do { try finishSheet() } catch { failure = error }
        }
        return done || failure != nil
    }

    /// Writes the notes of rows that had no cells (e.g. `no_data_rows` below a header); safe to call twice.
    mutating func finishSheet() throws(SpreadsheetWriterError) {
        if let failure { throw failure }
        try writeAnnotations(before: SpreadsheetSheet.maximumRows + 1)
    }

    private mutating func writeAnnotations(before row: Int) throws(SpreadsheetWriterError) {
        while nextAnnotated < annotatedRows.count, annotatedRows[nextAnnotated] < row {
            let number = annotatedRows[nextAnnotated]
            if number > lastWritten { try write(number, cells: []) }
            nextAnnotated += 1
        }
    }

    private mutating func learnHeader(_ row: SheetRow) {
        for cell in row.cells {
            guard case .text(let text) = cell.value else { continue }
            let trimmed = text.trimmedCell
            if positionOfText[trimmed] == nil { positionOfText[trimmed] = cell.column }
            if let field = HeaderMatcher.column(for: text) { positionsOfField[field, default: []].append(cell.column) }
        }
    }

    /// The cells an error is about: the column of its header; for a repeated header, the repeats.
    private func positions(of error: RowError) -> [Int] {
        if error.code == "header_duplicate" {
            guard let field = HeaderMatcher.column(for: error.column) else { return [] }
            return Array((positionsOfField[field] ?? []).dropFirst())
        }
        if let position = positionOfText[error.column] { return [position] }
        if let field = HeaderMatcher.column(for: error.column), let position = positionsOfField[field]?.first { return [position] }
        return []
    }

    private mutating func write(_ number: Int, cells: [SheetCell]) throws(SpreadsheetWriterError) {
        let errors = errorsByRow[number] ?? []
        var bad = Set<Int>()
        for error in errors { bad.formUnion(positions(of: error)) }
        let baseStyle: SpreadsheetCellStyle = number == headerRow ? .header : .text
        var written: [SpreadsheetCell] = []
        written.reserveCapacity(cells.count + bad.count + 1)
        for cell in cells where cell.column < errorColumn {
            let style = bad.remove(cell.column) != nil ? .bad : baseStyle
            written.append(.text(cell.value.text, column: cell.column, style: style))
        }
        // A required cell left empty is marked too.
        for column in bad where column < errorColumn { written.append(.text("", column: column, style: .bad)) }
        let messages = errors.map(\.message).joined(separator: AnnotatedReturn.separator)
        if number == labelRow {
            let text = messages.isEmpty ? label : label + "：" + messages
            written.append(.text(text, column: errorColumn, style: messages.isEmpty ? .header : .bad))
        } else if !messages.isEmpty {
            written.append(.text(messages, column: errorColumn, style: .errorNote))
        }
        try writer.appendRow(written, at: number)
        lastWritten = number
    }
}
