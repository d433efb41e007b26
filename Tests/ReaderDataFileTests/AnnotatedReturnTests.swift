import Foundation
import OneCardDomain
import Testing
@testable import ReaderDataFile

@Suite("Returned files: the contact's own file with 錯誤說明 and the bad cells in red")
struct AnnotatedReturnTests {
    static let badFill = XLSXWriter.badFill

    /// Writes the returned file of `url` and loads it with openpyxl.
    static func returned(_ url: URL, report: ReaderDataFileReport, locale: ReaderDataFileLocale = .zhTW,
                         in folder: ScratchFolder) async throws -> (url: URL, workbook: OpenpyxlWorkbook) {
        let bytes = try AnnotatedReturn.xlsx(contentsOf: url, report: report, checker: checker, locale: locale)
        let file = try folder.write(bytes, as: "returned.xlsx")
        return (file, try await OpenpyxlWorkbook(file))
    }

    @Test("xlsxwriter file with every kind of bad row: messages by row, exactly the bad cells red, same errors when checked again")
    func everyKindOfBadRow() async throws {
        let folder = try ScratchFolder()
        let original = Fixtures.url("bad-rows-xlsxwriter.xlsx")
        let report = try checker.check(contentsOf: original)
        let (url, workbook) = try await Self.returned(original, report: report, in: folder)
        #expect(workbook.sheetNames == ["Sheet1", "錯誤清單"])
        #expect(workbook.crcOK)
        let sheet = try #require(workbook["Sheet1"])
        #expect(sheet.row(1) == ["序號", "身分證字號*", "姓名", "性別", "出生日期", "身分別", "電子信箱", "行動電話", "班級/單位", "備註", "錯誤說明"])
        #expect(sheet.isBold("K1"))
        #expect(sheet.freezePanes == "A2")
        #expect(sheet.maxRow == 18)

        // Every error's message in column K of its row; several on one row joined by "；".
        let byRow = Dictionary(grouping: report.errors, by: \.row)
        for row in 2...18 {
            let expected = byRow[row]?.map(\.message).joined(separator: "；")
            #expect(sheet.value("K\(row)") == expected, "row \(row)")
        }
        #expect(sheet.value("K14") == "身分證字號應為 10 碼（目前為 5 碼）；請填寫身分別（教職員或學生）；請填寫電子信箱")

        // Exactly the cells in error are red, the empty ones (姓名 of row 6, 身分別 and 電子信箱 of row 14) too.
        #expect(sheet.cells(filled: Self.badFill) == [
            "B3", "B4", "C6", "F7", "G8", "E9", "E10", "H11", "D12", "B13", "B14", "F14", "G14", "B15", "E17", "E18",
        ])
        #expect(sheet.value("C6") == nil)

        // Values as read, as text in text-formatted cells, at their original rows.
        #expect(sheet.row(2) == ["1", "E111111117", "甲", "男", "2012-01-15", "學生", "same@example.com", "0911111111"])
        #expect(sheet.format("B2") == "@")
        #expect(sheet.columnFormat("B") == "@")
        #expect(sheet.row(5).isEmpty)
        #expect(sheet.value("E17") == "40666")  // a number cell without a date format
        #expect(sheet.value("B13") == " e111111117 ")

        let list = try #require(workbook["錯誤清單"])
        #expect(list.row(1) == ["列", "欄位", "錯誤說明"])
        #expect(list.maxRow == report.errors.count + 1)
        #expect(list.row(2) == ["3", "身分證字號*", "身分證字號檢查碼錯誤"])

        // The returned file, checked again, has the same errors at the same rows and columns.
        let again = try checker.check(contentsOf: url)
        #expect(triples(again) == triples(report))
        #expect(again.validRows.map(\.row) == report.validRows.map(\.row))
    }

    @Test("title rows stay above the header, the app's own rejections are marked, numbers come back as text")
    func titleRowsAndAppRejection() async throws {
        let folder = try ScratchFolder()
        let original = Fixtures.url("template-openpyxl.xlsx")
        var report = try checker.check(contentsOf: original)
        report.reject(row: 5, column: .idNumber, code: "card_exists", message: "此讀者已持有聯盟借閱證")
        let (url, workbook) = try await Self.returned(original, report: report, in: folder)
        // Only the data sheet comes back, not the instructions sheet before it.
        #expect(workbook.sheetNames == ["讀者資料", "錯誤清單"])
        let sheet = try #require(workbook["讀者資料"])
        #expect(sheet.value("A1") == "臺中市○○國民小學 數位借閱證集體申請 讀者資料檔")
        #expect(sheet.row(2).isEmpty)
        #expect(sheet.value("A3") == "序號")
        #expect(sheet.value("K3") == "錯誤說明")
        #expect(sheet.isBold("A3") && sheet.isBold("K3") && !sheet.isBold("A1"))
        #expect(sheet.freezePanes == "A4")
        #expect(sheet.cells(filled: Self.badFill) == ["B5"])
        #expect(sheet.value("K5") == "此讀者已持有聯盟借閱證")
        #expect(sheet.value("K4") == nil)
        #expect(sheet.value("H4") == "912345678")  // a number cell, now text that the checker still reads as 0912345678
        #expect(sheet.format("H4") == "@")
        #expect(sheet.value("E4") == "2011-05-03")  // a date cell
        #expect(sheet.value("C7") == " 陳大文 ")

        let again = try checker.check(contentsOf: url)
        #expect(again.errors.isEmpty)
        #expect(again.headerRow == 3)
        #expect(again.validRows.map(\.row) == [4, 5, 7, 8, 9])
        #expect(again.validRows.map(\.mobile) == (try checker.check(contentsOf: original)).validRows.map(\.mobile))
    }

    @Test("a missing column is explained in the first row")
    func missingColumnInFirstRow() async throws {
        let folder = try ScratchFolder()
        let original = Fixtures.url("missing-email-column.xlsx")
        let report = try checker.check(contentsOf: original)
        let (url, workbook) = try await Self.returned(original, report: report, in: folder)
        #expect(workbook.sheetNames == ["資料", "錯誤清單"])  // the data sheet, not the instructions before it
        let sheet = try #require(workbook["資料"])
        let note = try #require(sheet.value("G1"))
        #expect(note.hasPrefix("錯誤說明："))
        #expect(note.contains("找不到「電子信箱」欄位"))
        #expect(sheet.cells(filled: Self.badFill) == ["G1"])
        #expect(sheet.row(2) == ["1", "A123456789", "王小明", "2011/5/3", "學生", "0912345678"])
        #expect(sheet.freezePanes == nil)
        #expect(triples(try checker.check(contentsOf: url)) == triples(report))
    }

    @Test("a partial header below a title: the missing columns go to row 1, not to the header candidate's row")
    func partialHeaderBelowTitle() async throws {
        let folder = try ScratchFolder()
        let csv = "某某國中 讀者名單\n\n身分證字號,姓名,出生日期\n\(validID(1)),王小明,2011/5/3\n"
        let original = try folder.write(Data(csv.utf8), as: "partial.csv")
        let report = try checker.check(contentsOf: original)
        #expect(triples(report) == ["3 身分別 header_missing", "3 電子信箱 header_missing"])
        let (_, workbook) = try await Self.returned(original, report: report, in: folder)
        let sheet = try #require(workbook["讀者資料"])  // a csv has no sheet name
        #expect(sheet.value("A1") == "某某國中 讀者名單")
        let note = try #require(sheet.value("D1"))
        #expect(note.contains("找不到「身分別」欄位") && note.contains("找不到「電子信箱」欄位"))
        #expect(sheet.value("D3") == nil)
        #expect(sheet.row(3) == ["身分證字號", "姓名", "出生日期"])
    }

    @Test("ods file: rows after repeated blank rows keep their numbers")
    func odsRowsKeepTheirNumbers() async throws {
        let folder = try ScratchFolder()
        let original = Fixtures.url("roster.ods")
        let report = try checker.check(contentsOf: original)
        let (url, workbook) = try await Self.returned(original, report: report, in: folder)
        #expect(workbook.sheetNames == ["讀者資料", "錯誤清單"])
        let sheet = try #require(workbook["讀者資料"])
        #expect(sheet.value("A1") == "集體辦證讀者資料")
        #expect(sheet.value("K2") == "錯誤說明")
        #expect(sheet.freezePanes == "A3")
        #expect(sheet.cells(filled: Self.badFill) == ["B9", "B11"])
        #expect(sheet.value("K9") == "身分證字號檢查碼錯誤")
        #expect(sheet.value("K11") == "身分證字號與第 10 列重複")
        #expect(sheet.value("B10") == sheet.value("B11"))
        #expect(sheet.value("H3") == "912345678")
        #expect(sheet.value("C12") == "陳  小華")
        let again = try checker.check(contentsOf: url)
        #expect(triples(again) == triples(report))
        #expect(again.validRows.map(\.row) == [3, 10, 12])
    }

    @Test("csv: a line break inside a cell stays in the cell; English label")
    func csvWithEnglishLabel() async throws {
        let folder = try ScratchFolder()
        let original = Fixtures.url("utf8-bom.csv")
        let report = try checker.check(contentsOf: original)
        let (url, workbook) = try await Self.returned(original, report: report, locale: .en, in: folder)
        #expect(workbook.sheetNames == ["Readers", "Error list"])
        let sheet = try #require(workbook["Readers"])
        #expect(sheet.value("K1") == "Errors")
        #expect(sheet.value("I2") == "五年\n甲班")
        #expect(sheet.value("J3") == "say \"hi\"")
        #expect(sheet.cells(filled: Self.badFill) == ["B4"])
        #expect(triples(try checker.check(contentsOf: url)) == triples(report))
    }

    @Test("a header with nothing below: the note goes to the empty row below the header")
    func noDataRows() async throws {
        let folder = try ScratchFolder()
        let original = try folder.write(Data("身分證字號,姓名,出生日期,身分別,電子信箱\n".utf8), as: "empty.csv")
        let report = try checker.check(contentsOf: original)
        let (_, workbook) = try await Self.returned(original, report: report, in: folder)
        let sheet = try #require(workbook["讀者資料"])
        #expect(sheet.value("F1") == "錯誤說明")
        #expect(sheet.value("F2") == "標題列以下沒有任何讀者資料")
        #expect(sheet.cells(filled: Self.badFill) == ["A2"])
    }

    @Test("a repeated header column: the repeat is red and explained on the header row")
    func duplicateHeader() async throws {
        let folder = try ScratchFolder()
        let csv = "身分證字號,姓名,出生日期,身分別,電子信箱,姓名\n\(validID(7)),王小明,2011/5/3,學生,a@example.com,王\n"
        let original = try folder.write(Data(csv.utf8), as: "duplicate.csv")
        let report = try checker.check(contentsOf: original)
        #expect(triples(report) == ["1 姓名 header_duplicate"])
        let (_, workbook) = try await Self.returned(original, report: report, in: folder)
        let sheet = try #require(workbook["讀者資料"])
        #expect(sheet.cells(filled: Self.badFill) == ["F1", "G1"])
        #expect(sheet.value("G1")?.hasPrefix("錯誤說明：「姓名」欄位重複") == true)
    }

    @Test("a large file is returned by streaming, and checks the same")
    func largeFile() async throws {
        let folder = try ScratchFolder()
        let rows = 10_000
        let writer = try XLSXWriter()
        try writer.beginSheet(SpreadsheetSheet(name: "名單"))
        try writer.appendRow(texts: ["序號", "身分證字號", "姓名", "出生日期", "身分別", "電子信箱"])
        for index in 1...rows {
            let id = index % 1000 == 0 ? "A123456788" : validID(index)
            let role = index % 1500 == 0 ? "家長" : "學生"
            try writer.appendRow(texts: [String(index), id, "讀者\(index)", "2011/5/3", role, "r\(index)@example.com"])
        }
        let original = try folder.write(try writer.finish(), as: "large.xlsx")
        let report = try checker.check(contentsOf: original)
        #expect(report.rows == rows)
        #expect(report.errors.count == 10 + 6)  // every 1000th ID number, every 1500th role
        let bytes = try AnnotatedReturn.xlsx(data: try Data(contentsOf: original), report: report, checker: checker)
        let returned = try folder.write(bytes, as: "returned.xlsx")
        let again = try checker.check(contentsOf: returned)
        #expect(triples(again) == triples(report))
        #expect(again.rows == rows)
    }
}
