import Foundation
import OneCardDomain
import Testing
@testable import ReaderDataFile

@Suite("Reading files written by other programs")
struct FileFormatTests {
    @Test("openpyxl: title row, instructions sheet first, date cells, numeric mobiles, ROC dates, full-width ID")
    func templateWrittenByOpenpyxl() throws {
        let report = try check("template-openpyxl.xlsx")
        #expect(report.format == .xlsx)
        #expect(report.sheetName == "讀者資料")
        #expect(report.headerRow == 3)
        #expect(report.rows == 5)
        #expect(report.errors.isEmpty)
        #expect(report.isClean)
        #expect(report.validRows.map(\.row) == [4, 5, 7, 8, 9])
        let first = report.validRows[0]
        #expect(first.idNumber.value == "A123456789")
        #expect(first.name == "王小明")
        #expect(first.gender == .male)
        #expect(first.birthDate == day(2011, 5, 3))
        #expect(first.role == .student)
        #expect(first.email == "ming@example.edu.tw")
        #expect(first.mobile == "0912345678")  // a number cell that lost its leading 0
        #expect(first.unit == "五年甲班")
        #expect(first.note == nil)
        #expect(first.sequence == "1")
        let second = report.validRows[1]
        #expect(second.birthDate == day(2010, 5, 3))  // 099/05/03
        #expect(second.role == .staff)
        #expect(second.email == "LIN@example.edu.tw")
        #expect(second.mobile == "0912345678")
        #expect(second.note == "導師")
        let third = report.validRows[2]
        #expect(third.name == "陳大文")
        #expect(third.gender == nil)
        #expect(third.birthDate == day(2010, 5, 3))  // 99.5.3
        #expect(third.mobile == "0912345679")  // +886 912 345 679
        #expect(report.validRows[3].gender == .female)
        #expect(report.validRows[3].birthDate == day(2011, 5, 3))
        #expect(report.validRows[3].mobile == nil)
        let fifth = report.validRows[4]
        #expect(fifth.idNumber.value == IdentityNumber.makeValid(firstLetter: "D", second: "1", middle: "7654321"))
        #expect(fifth.gender == .other)
        #expect(fifth.email == "chang@example.com")  // typed in full width
        #expect(fifth.mobile == "0987654321")
    }

    @Test("xlsxwriter: every kind of bad row, with the header's own spelling and blank rows counted")
    func badRowsWrittenByXlsxwriter() throws {
        let report = try check("bad-rows-xlsxwriter.xlsx")
        #expect(report.headerRow == 1)
        #expect(report.rows == 16)
        #expect(report.validRows.map(\.row) == [2, 16])  // 16 shares row 2's email: allowed
        #expect(triples(report) == [
            "3 身分證字號* id_checksum",
            "4 身分證字號* id_not_national",
            "6 姓名 name_required",
            "7 身分別 role_invalid",
            "8 電子信箱 email_invalid",
            "9 出生日期 birth_date_invalid",
            "10 出生日期 birth_date_future",
            "11 行動電話 mobile_invalid",
            "12 性別 gender_invalid",
            "13 身分證字號* id_duplicate",
            "14 身分證字號* id_length",
            "14 身分別 role_required",
            "14 電子信箱 email_required",
            "15 身分證字號* id_not_national",
            "17 出生日期 birth_date_invalid",
            "18 出生日期 birth_date_invalid",
        ])
        let messages = Dictionary(report.errors.map { ("\($0.row) \($0.code)", $0.message) }, uniquingKeysWith: { first, _ in first })
        #expect(messages["3 id_checksum"] == "身分證字號檢查碼錯誤")
        #expect(messages["4 id_not_national"]?.contains("臨櫃申辦實體借閱證") == true)
        #expect(messages["13 id_duplicate"] == "身分證字號與第 2 列重複")
        #expect(messages["14 id_length"] == "身分證字號應為 10 碼（目前為 5 碼）")
        #expect(messages["10 birth_date_future"] == "出生日期（2030-01-01）不可晚於今天（2025-06-01）")
        #expect(messages["9 birth_date_invalid"]?.contains("099/02/30") == true)
        #expect(messages["7 role_invalid"]?.contains("不含親友") == true)
    }

    @Test("openpyxl: English headers in another order, 1904 date system")
    func englishHeadersShuffled() throws {
        let report = try check("english-shuffled.xlsx")
        #expect(report.columns[.idNumber] == "ID Number")
        #expect(report.columns[.gender] == "Sex")
        #expect(report.columns[.unit] == "Class / Unit")
        #expect(report.columns[.note] == "Remarks")
        #expect(report.rows == 4)
        #expect(triples(report) == ["4 Role role_invalid", "5 Date of Birth birth_date_invalid"])
        let amy = try #require(report.validRows.first)
        #expect(amy.row == 2)
        #expect(amy.role == .staff)
        #expect(amy.birthDate == day(1980, 2, 29))
        #expect(amy.gender == .female)
        #expect(amy.mobile == "0933111222")
        #expect(amy.unit == "Library")
        #expect(amy.note == "part-time")
        let ben = report.validRows[1]
        #expect(ben.row == 3)
        #expect(ben.role == .student)
        #expect(ben.birthDate == day(2010, 12, 31))
        #expect(ben.mobile == "0933111223")
        #expect(ben.gender == .male)
    }

    @Test("odfpy: repeated blank and non-blank rows, repeated cells, date and float cells, annotations")
    func odsWrittenByOdfpy() throws {
        let report = try check("roster.ods")
        #expect(report.format == .ods)
        #expect(report.sheetName == "讀者資料")  // not the instructions sheet before it, whose sample header is ignored
        #expect(report.headerRow == 2)
        #expect(report.rows == 5)
        #expect(triples(report) == ["9 身分證字號 id_checksum", "11 身分證字號 id_duplicate"])
        #expect(report.errors[1].message == "身分證字號與第 10 列重複")
        #expect(report.validRows.map(\.row) == [3, 10, 12])
        let first = report.validRows[0]
        #expect(first.birthDate == day(2011, 5, 3))
        #expect(first.mobile == "0912345678")
        #expect(first.sequence == "1")
        #expect(report.validRows[1].birthDate == day(2012, 2, 29))
        let hua = report.validRows[2]
        #expect(hua.name == "陳  小華")  // <text:s text:c="2"/>; the annotation 轉學生 is not part of the cell
        #expect(hua.birthDate == day(2011, 1, 2))  // 民國100年1月2日
        #expect(hua.role == .staff)
        #expect(hua.mobile == "0912345678")
    }

    @Test("csv in Big5 (cp950) as Excel in Taiwan saves it, with ROC dates")
    func big5CSV() throws {
        let report = try check("big5.csv")
        #expect(report.format == .csv)
        #expect(report.sheetName == nil)
        #expect(report.rows == 4)
        #expect(report.validRows.map(\.row) == [2, 3, 5])
        #expect(report.validRows[0].name == "王碁銹")  // 碁 and 銹 exist in CP950, not in plain Big5
        #expect(report.validRows.map(\.birthDate) == [day(2010, 5, 3), day(2010, 5, 3), day(2010, 5, 3)])
        #expect(report.validRows.map(\.mobile) == ["0912345678", nil, "0912345678"])
        #expect(report.validRows[2].note == "備註，有逗號")
        #expect(triples(report) == [
            "6 身分證字號 id_checksum", "6 出生日期 birth_date_invalid", "6 身分別 role_invalid",
            "6 電子信箱 email_invalid", "6 行動電話 mobile_invalid",
        ])
    }

    @Test("csv in UTF-8 with BOM: a quoted line break stays in its row")
    func utf8BOMCSV() throws {
        let report = try check("utf8-bom.csv")
        #expect(report.rows == 3)
        #expect(report.columns[.idNumber] == "身分證字號")  // the BOM is not part of 序號 … nor of the first header
        #expect(report.columns[.sequence] == "序號")
        #expect(triples(report) == ["4 身分證字號 id_checksum"])
        let ann = report.validRows[0]
        #expect(ann.name == "Lee, Ann")
        #expect(ann.unit == "五年\n甲班")
        #expect(ann.mobile == "0912345678")
        #expect(report.validRows[1].birthDate == day(2011, 5, 3))  // 2011-05-03 00:00:00
        #expect(report.validRows[1].note == "say \"hi\"")
    }

    @Test("hand-written xlsx: prefixes, inline and rich strings, phonetic runs, entities, ROC date format, hidden sheet")
    func handWrittenXLSX() throws {
        let report = try check("handmade.xlsx")
        #expect(report.sheetName == "名單 & 資料")  // the hidden sheet listed first is looked at last
        #expect(report.headerRow == 2)
        #expect(report.columns[.name] == "姓名")  // rich text runs joined, the phonetic run left out
        #expect(report.rows == 3)
        #expect(triples(report) == ["5 出生日期 birth_date_invalid", "7 行動電話 mobile_invalid"])
        let tom = try #require(report.validRows.first)
        #expect(tom.row == 3)
        #expect(tom.name == "Tom & Jerry中中A")
        #expect(tom.birthDate == day(2011, 5, 3))  // serial 40666 in the [$-404]e/m/d format
        #expect(tom.role == .student)  // a formula's cached string
        #expect(tom.email == "tom@example.com")
        #expect(tom.mobile == "0912345678")  // "Tel "0 is a number format, not a date
    }

    @Test("a file without the required columns is reported at its best header candidate")
    func missingHeader() throws {
        let report = try check("missing-email-column.xlsx")
        #expect(report.headerRow == nil)
        #expect(report.rows == 0)
        #expect(report.validRows.isEmpty)
        #expect(triples(report) == ["1 電子信箱 header_missing"])
        #expect(report.errors[0].message.contains("身分證字號、姓名、出生日期、身分別、電子信箱"))
    }

    @Test("a header without data rows is not a clean file")
    func noDataRows() throws {
        let report = try checker.check(data: Data("\u{FEFF}身分證字號,姓名,出生日期,身分別,電子信箱\r\n,,,,\r\n\r\n".utf8))
        #expect(report.rows == 0)
        #expect(triples(report) == ["2 身分證字號 no_data_rows"])
        #expect(!report.isClean)
    }

    @Test("UTF-16 text with tabs, as Excel's Unicode text export writes it")
    func utf16Tabs() throws {
        let id = IdentityNumber.makeValid(firstLetter: "A", second: "2", middle: "7654321")
        let text = "標題\n身分證字號\t姓名\t出生日期\t身分別\t電子信箱\n\(id)\t林一\t2011/5/3\t學生\tlin@example.com\n"
        var data = Data([0xFF, 0xFE])
        data.append(text.data(using: .utf16LittleEndian)!)
        let report = try checker.check(data: data)
        #expect(report.format == .csv)
        #expect(report.headerRow == 2)
        #expect(report.validRows.map(\.name) == ["林一"])
        #expect(report.validRows.first?.row == 3)
    }

    @Test("a CSV in neither UTF-8 nor Big5 is refused")
    func unknownEncoding() {
        // Latin-1 "é" followed by a byte Big5 cannot continue with.
        let data = Data("身分證字號,姓名\n".utf8) + Data([0x41, 0xE9, 0x0A, 0x80, 0x0A])
        #expect(throws: ReaderDataFileError.csvEncoding) { try checker.check(data: data) }
    }

    @Test("a file in memory reads like the same file on disk")
    func dataAndFileAgree() throws {
        for name in ["template-openpyxl.xlsx", "roster.ods", "big5.csv"] {
            let data = try Data(contentsOf: Fixtures.url(name))
            #expect(try checker.check(data: data) == check(name))
        }
    }
}

@Suite("Checking rows on a second thread")
struct PipelineTests {
    @Test("the report is the same with and without the worker thread", arguments: [
        "template-openpyxl.xlsx", "bad-rows-xlsxwriter.xlsx", "english-shuffled.xlsx", "roster.ods", "big5.csv",
        "utf8-bom.csv", "handmade.xlsx", "missing-email-column.xlsx", "thirty-rows.xlsx",
    ])
    func sameReport(name: String) throws {
        var sequential = checker
        sequential.concurrentRowChecks = false
        #expect(try check(name, sequential) == check(name))
    }

    @Test("too many rows stops the reader from the worker thread, in both modes")
    func tooManyRows() {
        for concurrent in [false, true] {
            var limited = ReaderDataFileChecker(today: today, maximumRows: 3)
            limited.concurrentRowChecks = concurrent
            #expect(refusal("thirty-rows.xlsx", limited) == .tooManyRows(limit: 3))
        }
    }

    @Test("many batches with errors and duplicates: same report, rows in order")
    func manyBatches() throws {
        var lines = ["序號,身分證字號,姓名,性別,出生日期,身分別,電子信箱,行動電話,班級/單位,備註"]
        for index in 0..<3000 {
            let middle = String(index + 1_000_000).suffix(7)
            var id = IdentityNumber.makeValid(firstLetter: "B", second: "2", middle: String(middle))
            if index % 500 == 7 { id = IdentityNumber.makeValid(firstLetter: "B", second: "2", middle: "1000000") }  // repeats row 2's
            if index % 250 == 3 { id = String(id.dropLast()) + (id.last == "0" ? "1" : "0") }  // breaks the check digit
            let email = index % 1000 == 5 ? "nobody" : "r\(index)@example.com"
            lines.append("\(index + 1),\(id),讀者\(index),女,099/05/03,學生,\(email),0912345678,,")
        }
        let data = Data(lines.joined(separator: "\n").utf8)
        var sequential = checker
        sequential.concurrentRowChecks = false
        let report = try checker.check(data: data)
        #expect(try sequential.check(data: data) == report)
        #expect(report.rows == 3000)
        let codes = Dictionary(grouping: report.errors, by: \.code).mapValues(\.count)
        #expect(codes == ["id_duplicate": 6, "id_checksum": 12, "email_invalid": 3])
        #expect(report.errors.map(\.row) == report.errors.map(\.row).sorted())
        #expect(report.validRows.count == 3000 - 21)
        #expect(report.errors.first { $0.code == "id_duplicate" }?.message == "身分證字號與第 2 列重複")
    }
}
