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

    /// What to tell the person who sent the file (zh-TW).
    public var message: String {
        switch self {
        case .unreadable:
            "無法開啟檔案。"
        case .empty:
            "檔案是空的。"
        case .tooLarge(let limit):
            "檔案太大（上限 \(limit / 1_048_576) MB），請分批申請。"
        case .notSpreadsheet:
            "這不是試算表檔案，請上傳 xlsx、ods 或 csv 格式的讀者資料檔。"
        case .unsupportedFormat(let name):
            "不支援 \(name) 格式，請另存為 xlsx、ods 或 csv 後再上傳。"
        case .legacyExcel:
            "這是舊版 Excel 97-2003（.xls）檔案，請另存為 Excel 活頁簿（.xlsx）後再上傳。"
        case .encryptedWorkbook:
            "檔案設有開啟密碼（已加密），無法讀取。請移除密碼後再上傳。"
        case .corrupt:
            "檔案已損毀或不完整，無法讀取。請重新存檔後再上傳。"
        case .zipBomb:
            "檔案解壓縮後過大，已拒絕處理。"
        case .xmlDoctype:
            "檔案內含不允許的 XML 文件類型宣告（DOCTYPE／ENTITY），已拒絕處理。"
        case .xmlMalformed:
            "檔案內容格式錯誤，無法讀取。請重新存檔後再上傳。"
        case .csvEncoding:
            "無法辨識 CSV 檔的文字編碼，請以 UTF-8 或 Big5 編碼儲存。"
        case .tooManyRows(let limit):
            "資料超過 \(limit) 列的上限，請分批申請（每批需另行發文）。"
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
