import ReaderDataFile
import XCTest
@testable import App

/// Why a reader data file cannot be read, as the contact and `onecard roster check` read it. The zh-TW words
/// were written in the ReaderDataFile target until they moved to zh-TW.json, whose own older copy had drifted
/// ("這不是試算表檔案。"); these are the words users saw, and must keep seeing.
final class ReaderDataFileTextTests: XCTestCase {
    static let zhTW: [(ReaderDataFileError, String)] = [
        (.unreadable("no such file"), "無法開啟檔案。"),
        (.empty, "檔案是空的。"),
        (.tooLarge(limit: 64 * 1_048_576), "檔案太大（上限 64 MB），請分批申請。"),
        (.notSpreadsheet, "這不是試算表檔案，請上傳 xlsx、ods 或 csv 格式的讀者資料檔。"),
        (.unsupportedFormat("docx"), "不支援 docx 格式，請另存為 xlsx、ods 或 csv 後再上傳。"),
        (.legacyExcel, "這是舊版 Excel 97-2003（.xls）檔案，請另存為 Excel 活頁簿（.xlsx）後再上傳。"),
        (.encryptedWorkbook, "檔案設有開啟密碼（已加密），無法讀取。請移除密碼後再上傳。"),
        (.corrupt("bad zip"), "檔案已損毀或不完整，無法讀取。請重新存檔後再上傳。"),
        (.zipBomb, "檔案解壓縮後過大，已拒絕處理。"),
        (.xmlDoctype, "檔案內含不允許的 XML 文件類型宣告（DOCTYPE／ENTITY），已拒絕處理。"),
        (.xmlMalformed("unclosed tag"), "檔案內容格式錯誤，無法讀取。請重新存檔後再上傳。"),
        (.csvEncoding, "無法辨識 CSV 檔的文字編碼，請以 UTF-8 或 Big5 編碼儲存。"),
        (.tooManyRows(limit: 100_000), "資料超過 100000 列的上限，請分批申請（每批需另行發文）。"),
    ]

    func testEveryUnreadableFileErrorReadsAsBeforeInBothLanguages() throws {
        let localizer = try Localizer.load(from: Resources.path("Localization"))
        for (error, text) in Self.zhTW {
            XCTAssertEqual(localizer.text(error, .zhTW), text, error.code)
            let english = localizer.text(error, .en)
            XCTAssertFalse(english.isEmpty || english == error.messageKey || english.contains("{"), "\(error.code): \(english)")
        }
        XCTAssertEqual(localizer.text(.tooManyRows(limit: 100_000), .en), "The file has more than 100,000 rows; split it into batches.")
    }
}
