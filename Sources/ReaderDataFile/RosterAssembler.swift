import Foundation
import OneCardDomain

/// Finds the header row, then checks every data row; fed by the format readers.
struct RosterAssembler: RowConsumer {
    /// How many non-blank rows at the top of each sheet may come before the header (title rows, notes).
    static let headerSearchRows = 20

    let rules: FieldRules
    let maximumRows: Int

    private struct Header {
        var row: Int
        var sheet: String
        /// Column index of each field.
        var positions: [ReaderColumn: Int]
        /// Header text as written.
        var names: [ReaderColumn: String]
        /// Field of each column index, nil for unrecognised columns.
        var fieldOfColumn: [ReaderColumn?]
    }

    private var sheetName = ""
    private var nonBlankRowsInSheet = 0
    private var header: Header?
    private var bestCandidate: (row: Int, found: Set<ReaderColumn>)?

    private(set) var dataRows = 0
    private(set) var validRows: [ReaderRow] = []
    private var errors: [(error: RowError, position: Int)] = []
    /// The first row of each 身分證字號, keyed by `idKey` (a number: hashing 50,000 strings was a tenth of
    /// checking the rows of a large file, issue #13 item 5), or by the text for any other shape.
    private var firstRowOfID: [UInt64: Int] = [:]
    private var firstRowOfOtherID: [String: Int] = [:]
    private var values = [CellValue?](repeating: nil, count: ReaderColumn.allCases.count)

    init(rules: FieldRules, maximumRows: Int) {
        self.rules = rules
        self.maximumRows = maximumRows
    }

    mutating func beginSheet(named name: String) {
        sheetName = name
        nonBlankRowsInSheet = 0
    }

    mutating func endSheet() throws -> Bool {
        header != nil
    }

    var hasHeader: Bool { header != nil }

    mutating func consume(_ row: SheetRow) throws -> RowDisposition {
        guard let header else { return findHeader(in: row) }
        return try checkDataRow(row, header: header)
    }

    // MARK: Header

    private mutating func findHeader(in row: SheetRow) -> RowDisposition {
        guard row.cells.contains(where: { !$0.value.isBlank }) else { return .more }
        nonBlankRowsInSheet += 1
        var positions: [ReaderColumn: Int] = [:]
        var names: [ReaderColumn: String] = [:]
        var duplicates: [(column: ReaderColumn, name: String, first: Int, again: Int)] = []
        for cell in row.cells {
            guard case .text(let text) = cell.value, let column = HeaderMatcher.column(for: text) else { continue }
            if let first = positions[column] {
                duplicates.append((column, text.trimmedCell, first, cell.column))
            } else {
                positions[column] = cell.column
                names[column] = text.trimmedCell
            }
        }
        let required = ReaderColumn.allCases.filter(\.isRequired)
        if required.allSatisfy({ positions[$0] != nil }) {
            let width = (positions.values.max() ?? 0) + 1
            var fieldOfColumn = [ReaderColumn?](repeating: nil, count: width)
            for (column, position) in positions { fieldOfColumn[position] = column }
            header = Header(row: row.number, sheet: sheetName, positions: positions, names: names, fieldOfColumn: fieldOfColumn)
            for duplicate in duplicates {
                addError(RowError(
                    row: row.number, column: duplicate.name, code: "header_duplicate",
                    message: "「\(duplicate.name)」欄位重複（\(columnLetters(duplicate.first)) 欄與 \(columnLetters(duplicate.again)) 欄），請只保留一欄；目前採用 \(columnLetters(duplicate.first)) 欄"),
                    position: duplicate.again)
            }
            return .more
        }
        if positions.count >= 2, positions.count > (bestCandidate?.found.count ?? 0) {
            bestCandidate = (row.number, Set(positions.keys))
        }
        return nonBlankRowsInSheet >= Self.headerSearchRows ? .skipSheet : .more
    }

    // MARK: Data rows

    /// A letter and nine digits (every 身分證字號) as one number, distinct for distinct numbers; nil for anything else.
    static func idKey(_ value: String) -> UInt64? {
        let bytes = value.utf8
        guard bytes.count == 10, let letter = bytes.first, (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(letter) else { return nil }
        var key = UInt64(letter - UInt8(ascii: "A"))
        for byte in bytes.dropFirst() {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            key = key * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        return key
    }

    private mutating func checkDataRow(_ row: SheetRow, header: Header) throws -> RowDisposition {
        for index in values.indices { values[index] = nil }
        var blank = true
        for cell in row.cells where cell.column < header.fieldOfColumn.count {
            guard let field = header.fieldOfColumn[cell.column] else { continue }
            values[Self.slot(field)] = cell.value
            if field != .sequence, !cell.value.isBlank { blank = false }
        }
        // Blank rows, and rows where only 序號 is filled in (templates often come pre-numbered), are skipped.
        if blank { return .more }
        dataRows += 1
        if dataRows > maximumRows { throw ReaderDataFileError.tooManyRows(limit: maximumRows) }

        let number = row.number
        var failed = false
        func fail(_ column: ReaderColumn, _ failure: RuleFailure) {
            failed = true
            addError(RowError(row: number, column: header.names[column] ?? column.templateHeader,
                              code: failure.code, message: failure.message),
                     position: header.positions[column] ?? 0)
        }
        func value(_ column: ReaderColumn) -> CellValue? {
            let value = values[Self.slot(column)]
            if let value, value.isBlank { return nil }
            return value
        }

        var idNumber: IdentityNumber?
        switch rules.identity(value(.idNumber)) {
        case .success(let parsed):
            let key = Self.idKey(parsed.value)
            if let first = key.map({ firstRowOfID[$0] }) ?? firstRowOfOtherID[parsed.value] {
                fail(.idNumber, RuleFailure(code: "id_duplicate", message: "身分證字號與第 \(first) 列重複"))
            } else {
                if let key { firstRowOfID[key] = number } else { firstRowOfOtherID[parsed.value] = number }
                idNumber = parsed
            }
        case .failure(let failure): fail(.idNumber, failure)
        }
        var name = ""
        switch rules.name(value(.name)) {
        case .success(let parsed): name = parsed
        case .failure(let failure): fail(.name, failure)
        }
        var gender: Gender?
        switch rules.gender(value(.gender)) {
        case .success(let parsed): gender = parsed
        case .failure(let failure): fail(.gender, failure)
        }
        var birthDate: CalendarDay?
        switch rules.birthDate(value(.birthDate)) {
        case .success(let parsed): birthDate = parsed
        case .failure(let failure): fail(.birthDate, failure)
        }
        var role: ReaderRole?
        switch rules.role(value(.role)) {
        case .success(let parsed): role = parsed
        case .failure(let failure): fail(.role, failure)
        }
        var email = ""
        switch rules.email(value(.email)) {
        case .success(let parsed): email = parsed
        case .failure(let failure): fail(.email, failure)
        }
        var mobile: String?
        switch rules.mobile(value(.mobile)) {
        case .success(let parsed): mobile = parsed
        case .failure(let failure): fail(.mobile, failure)
        }
        if !failed, let idNumber, let birthDate, let role {
            validRows.append(ReaderRow(
                row: number, idNumber: idNumber, name: name, gender: gender, birthDate: birthDate, role: role,
                email: email, mobile: mobile, unit: rules.optionalText(value(.unit)),
                note: rules.optionalText(value(.note)), sequence: rules.optionalText(value(.sequence))))
        }
        return .more
    }

    private static func slot(_ column: ReaderColumn) -> Int {
        switch column {
        case .sequence: 0
        case .idNumber: 1
        case .name: 2
        case .gender: 3
        case .birthDate: 4
        case .role: 5
        case .email: 6
        case .mobile: 7
        case .unit: 8
        case .note: 9
        }
    }

    private mutating func addError(_ error: RowError, position: Int) {
        errors.append((error, position))
    }

    // MARK: Result

    func report(format: ReaderDataFileFormat) -> ReaderDataFileReport {
        guard let header else {
            let found = bestCandidate?.found ?? []
            let missing = ReaderColumn.allCases.filter { $0.isRequired && !found.contains($0) }
            let requiredList = ReaderColumn.allCases.filter(\.isRequired).map(\.templateHeader).joined(separator: "、")
            let errors = missing.map { column in
                RowError(row: bestCandidate?.row ?? 1, column: column.templateHeader, code: "header_missing",
                         message: "找不到「\(column.templateHeader)」欄位；標題列須包含：\(requiredList)")
            }
            return ReaderDataFileReport(format: format, sheetName: nil, headerRow: nil, columns: [:], rows: 0,
                                        validRows: [], errors: errors)
        }
        // Stable order: by row, then by the column's position in the sheet, then as found.
        var ordered = errors.enumerated().sorted {
            ($0.element.error.row, $0.element.position, $0.offset) < ($1.element.error.row, $1.element.position, $1.offset)
        }.map(\.element.error)
        if dataRows == 0 {
            // A file with a header and nothing below it is no application: return it rather than accept it.
            ordered.append(RowError(row: header.row + 1, column: header.names[.idNumber] ?? ReaderColumn.idNumber.templateHeader,
                                    code: "no_data_rows", message: "標題列以下沒有任何讀者資料"))
        }
        return ReaderDataFileReport(
            format: format, sheetName: format == .csv ? nil : header.sheet, headerRow: header.row,
            columns: header.names, rows: dataRows, validRows: validRows, errors: ordered)
    }
}
