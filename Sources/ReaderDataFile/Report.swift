import Foundation
import OneCardDomain

/// The file formats a reader data file may come in, detected from the content, never from the name.
public enum ReaderDataFileFormat: String, Sendable, Codable, CaseIterable {
    case xlsx, ods, csv
}

/// 身分別: who may receive a group digital card (the seed: staff and students only, not relatives).
public enum ReaderRole: String, Sendable, Codable, CaseIterable {
    /// 教職員
    case staff
    /// 學生
    case student

    /// The word the template uses.
    public var displayName: String {
        switch self {
        case .staff: "教職員"
        case .student: "學生"
        }
    }
}

/// The columns of the template's data sheet.
public enum ReaderColumn: String, Sendable, Codable, CaseIterable {
    case sequence, idNumber, name, gender, birthDate, role, email, mobile, unit, note

    /// The header the template uses (zh-TW), also used in errors about a column that is missing.
    public var templateHeader: String {
        switch self {
        case .sequence: "序號"
        case .idNumber: "身分證字號"
        case .name: "姓名"
        case .gender: "性別"
        case .birthDate: "出生日期"
        case .role: "身分別"
        case .email: "電子信箱"
        case .mobile: "行動電話"
        case .unit: "班級/單位"
        case .note: "備註"
        }
    }

    /// The header of the English template.
    public var englishHeader: String {
        switch self {
        case .sequence: "No."
        case .idNumber: "ID number"
        case .name: "Name"
        case .gender: "Gender"
        case .birthDate: "Date of birth"
        case .role: "Role"
        case .email: "Email"
        case .mobile: "Mobile"
        case .unit: "Class/Unit"
        case .note: "Note"
        }
    }

    /// Columns a file must have; the others may be left out.
    public var isRequired: Bool {
        switch self {
        case .idNumber, .name, .birthDate, .role, .email: true
        case .sequence, .gender, .mobile, .unit, .note: false
        }
    }
}

/// One problem in a file: where the spreadsheet program shows it, and what is wrong.
public struct RowError: Sendable, Equatable, Hashable, Codable {
    /// 1-based row number as the spreadsheet program shows it (title and blank rows counted).
    public var row: Int
    /// The column's header as written in the file (for a missing column: the template's header).
    public var column: String
    /// A stable machine word, e.g. `id_checksum`.
    public var code: String
    /// What to tell the person who filled in the file (zh-TW).
    public var message: String

    public init(row: Int, column: String, code: String, message: String) {
        self.row = row
        self.column = column
        self.code = code
        self.message = message
    }
}

/// A row that passed every check of the file itself.
public struct ReaderRow: Sendable, Equatable, Hashable {
    /// 1-based row number as the spreadsheet program shows it.
    public var row: Int
    /// Always a ROC national ID (`kind == .nationalID`).
    public var idNumber: IdentityNumber
    /// Trimmed, as written.
    public var name: String
    /// As written in 性別; nil when the column is absent or empty (`idNumber.genderFromNumber` is a fallback).
    public var gender: Gender?
    public var birthDate: CalendarDay
    public var role: ReaderRole
    /// Trimmed, folded to ASCII (full-width characters), domain lower-cased.
    public var email: String
    /// Normalized to `09XXXXXXXX`; nil when empty or the column is absent.
    public var mobile: String?
    /// 班級/單位, trimmed; nil when empty.
    public var unit: String?
    /// 備註, trimmed; nil when empty.
    public var note: String?
    /// 序號 as written, not checked; nil when empty.
    public var sequence: String?

    public init(row: Int, idNumber: IdentityNumber, name: String, gender: Gender?, birthDate: CalendarDay,
                role: ReaderRole, email: String, mobile: String?, unit: String?, note: String?, sequence: String?) {
        self.row = row
        self.idNumber = idNumber
        self.name = name
        self.gender = gender
        self.birthDate = birthDate
        self.role = role
        self.email = email
        self.mobile = mobile
        self.unit = unit
        self.note = note
        self.sequence = sequence
    }
}

/// What checking a readable file found.
public struct ReaderDataFileReport: Sendable, Equatable {
    public var format: ReaderDataFileFormat
    /// The sheet the data was read from (nil for csv, or when no header row was found).
    public var sheetName: String?
    /// Row number of the header row; nil when none was found (then `errors` holds `header_missing`).
    public var headerRow: Int?
    /// Each column found, with its header as written in the file.
    public var columns: [ReaderColumn: String]
    /// Data rows: non-blank rows below the header.
    public var rows: Int
    /// Rows without any error, in file order.
    public var validRows: [ReaderRow]
    /// Every problem found, ordered by row, then by column position.
    public var errors: [RowError]

    public init(format: ReaderDataFileFormat, sheetName: String?, headerRow: Int?, columns: [ReaderColumn: String],
                rows: Int, validRows: [ReaderRow], errors: [RowError]) {
        self.format = format
        self.sheetName = sheetName
        self.headerRow = headerRow
        self.columns = columns
        self.rows = rows
        self.validRows = validRows
        self.errors = errors
    }

    /// True when every row is valid and the header is complete: the file may become a batch.
    public var isClean: Bool { errors.isEmpty }

    /// The header as written for `column`, or the template's when the file has no such column.
    public func header(for column: ReaderColumn) -> String {
        columns[column] ?? column.templateHeader
    }

    /// Turns a valid row into an invalid one, for checks only the app can make (e.g. the person already
    /// holds a card in the consortium). Keeps `errors` ordered by row; the row's position in `errors`
    /// follows the ones already there for that row.
    public mutating func reject(row: Int, column: ReaderColumn, code: String, message: String) {
        validRows.removeAll { $0.row == row }
        let error = RowError(row: row, column: header(for: column), code: code, message: message)
        let index = errors.firstIndex { $0.row > row } ?? errors.endIndex
        errors.insert(error, at: index)
    }
}
