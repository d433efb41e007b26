import Foundation

/// Why a reader data file could not be read at all (`onecard roster check` exits 2).
///
/// Problems in the rows of a readable file are not errors of this kind: they are `RowError`s in the report.
public enum ReaderDataFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file does not exist, is a directory, or cannot be opened.
    case unreadable(String)
    /// The file has no bytes.
    case empty
    /// The file is bigger than the checker's `maximumFileBytes`.
    case tooLarge(limit: Int)
    /// Neither xlsx, ods nor text (e.g. a picture or a program renamed to .xlsx or .csv).
    case notSpreadsheet
    /// A document of another kind that this service does not read (xlsb, docx, odt…); carries its name.
    case unsupportedFormat(String)
    /// An Excel 97–2003 workbook (.xls).
    case legacyExcel
    /// A workbook protected with a password to open (an encrypted xlsx is an OLE compound file; an encrypted ods says so in its manifest).
    case encryptedWorkbook
    /// A zip or spreadsheet package that is damaged or incomplete.
    case corrupt(String)
    /// Entries that inflate to more than `maximumUncompressedBytes`, or at an implausible ratio.
    case zipBomb
    /// XML with a document type declaration (`<!DOCTYPE`, `<!ENTITY`): refused, as spreadsheets never need one.
    case xmlDoctype
    /// XML that is not well formed enough to read.
    case xmlMalformed(String)
    /// A CSV file that is neither UTF-8 nor Big5 (CP950).
    case csvEncoding
    /// More data rows than `maximumRows`.
    case tooManyRows(limit: Int)

    /// A stable machine word, as in `onecard roster check`'s JSON.
    public var code: String {
        switch self {
        case .unreadable: "file_unreadable"
        case .empty: "file_empty"
        case .tooLarge: "file_too_large"
        case .notSpreadsheet: "not_spreadsheet"
        case .unsupportedFormat: "unsupported_format"
        case .legacyExcel: "legacy_xls"
        case .encryptedWorkbook: "encrypted_workbook"
        case .corrupt: "file_corrupt"
        case .zipBomb: "zip_bomb"
        case .xmlDoctype: "xml_doctype"
        case .xmlMalformed: "xml_malformed"
        case .csvEncoding: "csv_encoding"
        case .tooManyRows: "too_many_rows"
        }
    }

    /// The key of the text to show the person who sent the file, in the app's localization files
    /// (`Resources/Localization/{zh-TW,en}.json`). This target has no localizer: the app renders it, for the
    /// upload page and for `onecard roster check` alike.
    public var messageKey: String { "group.file_error.\(code)" }

    /// The values of the text's placeholders.
    public var messageValues: [String: String] {
        switch self {
        case .tooLarge(let limit): ["limit_mb": String(limit / 1_048_576)]
        case .unsupportedFormat(let name): ["format": name]
        case .tooManyRows(let limit): ["limit": String(limit)]
        default: [:]
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let detail), .corrupt(let detail), .xmlMalformed(let detail):
            "\(code): \(detail)"
        default:
            code
        }
    }
}
