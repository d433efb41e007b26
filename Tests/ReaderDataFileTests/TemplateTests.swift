import Foundation
import OneCardDomain
import Testing
@testable import ReaderDataFile

@Suite("The template, read back by openpyxl, odfpy and the checker")
struct TemplateTests {
    static let zhHeaders = ["序號", "身分證字號", "姓名", "性別", "出生日期", "身分別", "電子信箱", "行動電話", "班級/單位", "備註"]
    static let enHeaders = ["No.", "ID number", "Name", "Gender", "Date of birth", "Role", "Email", "Mobile", "Class/Unit", "Note"]

    /// Rows as a contact types them into the text-formatted cells.
    static let filledRows: [[String?]] = [
        ["1", validID(1_234_567), "王小明", "男", "099/05/03", "學生", "ming@example.edu.tw", "0912345678", "五年甲班", nil],
        ["2", validID(2_345_678).lowercased(), "林老師", nil, "1980-02-29", "教職員", "lin@example.edu.tw", "0912-345-679", "教務處", "導師"],
        ["3", validID(3_456_789), "陳小華", "女", "民國100年1月2日", "學生", "chen@example.com", nil, "一年乙班", nil],
    ]

    @Test("xlsx: data sheet with the ten headers first, frozen and text-formatted, drop-down for 身分別; instructions after")
    func xlsxTemplateSeenByOpenpyxl() async throws {
        let folder = try ScratchFolder()
        let url = try folder.write(try ReaderDataFileTemplate.xlsx(locale: .zhTW), as: "template.xlsx")
        let workbook = try await OpenpyxlWorkbook(url)
        #expect(workbook.sheetNames == ["讀者資料", "填寫說明"])
        #expect(workbook.active == "讀者資料")
        #expect(workbook.crcOK)
        #expect(workbook.zipEntries.allSatisfy { $0["stored"] as? Bool == false })
        let data = try #require(workbook["讀者資料"])
        #expect(data.row(1) == Self.zhHeaders)
        #expect(data.maxRow == 1)  // no example row that could be imported as a reader
        #expect(data.freezePanes == "A2")
        for column in 0..<10 {
            let reference = columnLetters(column) + "1"
            #expect(data.isBold(reference), "\(reference) bold")
            #expect(data.fill(reference) == XLSXWriter.headerFill)
        }
        // ID, birth date and mobile keep what is typed as text (leading 0, ROC dates).
        for letter in ["B", "C", "E", "F", "G", "H", "I", "J"] {
            #expect(data.columnFormat(letter) == "@", "column \(letter)")
        }
        #expect(data.columnFormat("A") == "General")
        #expect(data.format("B1") == "@")
        let validations = Dictionary(uniqueKeysWithValues: data.validations.map { ($0["sqref"] as? String ?? "", $0) })
        #expect(validations["F2:F100001"]?["formula1"] as? String == "\"教職員,學生\"")
        #expect(validations["F2:F100001"]?["type"] as? String == "list")
        #expect(validations["D2:D100001"]?["formula1"] as? String == "\"男,女,其他\"")

        let instructions = try #require(workbook["填寫說明"])
        #expect(instructions.value("A1")?.contains("讀者資料檔填寫說明") == true)
        #expect(instructions.row(4).first == "欄位")
        #expect((5...14).map { instructions.value("A\($0)") ?? "" } == Self.zhHeaders)
        #expect(instructions.value("B6") == "必填")
        #expect(instructions.value("B5") == "選填")
        #expect(instructions.value("D6") == "A123456789")
        #expect(instructions.value("D9") == "099/05/03")
        #expect(instructions.value("C10")?.contains("「教職員」或「學生」") == true)
        #expect(instructions.value("C6")?.contains("中華民國國民身分證字號") == true)
        #expect(instructions.value("C9")?.contains("099/05/03") == true)
        #expect(instructions.value("C12")?.contains("09 開頭") == true)
        #expect(instructions.value("A2") == "填寫方式")
        #expect(instructions.value("C2")?.contains("第 1 列是標題列") == true)
        #expect(instructions.value("A16") == "注意事項")
        #expect((17...21).map { instructions.value("A\($0)") ?? "" } == ["一", "二", "三", "四", "五"])
        let notes = (17...21).compactMap { instructions.value("C\($0)") }.joined()
        #expect(notes.contains("一份公文"))
        #expect(notes.contains("100,000"))
        #expect(notes.contains("錯誤說明"))
    }

    @Test("xlsx in English: Readers and Instructions sheets, English headers and drop-down words")
    func englishXLSXTemplate() async throws {
        let folder = try ScratchFolder()
        let url = try folder.write(try ReaderDataFileTemplate.xlsx(locale: .en, maximumRows: 500), as: "template-en.xlsx")
        let workbook = try await OpenpyxlWorkbook(url)
        #expect(workbook.sheetNames == ["Readers", "Instructions"])
        let data = try #require(workbook["Readers"])
        #expect(data.row(1) == Self.enHeaders)
        #expect(data.validations.contains { $0["sqref"] as? String == "F2:F501" && $0["formula1"] as? String == "\"Staff,Student\"" })
        let instructions = try #require(workbook["Instructions"])
        #expect((5...14).map { instructions.value("A\($0)") ?? "" } == Self.enHeaders)
        #expect((17...21).compactMap { instructions.value("C\($0)") }.joined().contains("at most 500 readers"))
    }

    @Test("The checker reads an untouched template as headers with no data rows", arguments: [
        (ReaderDataFileLocale.zhTW, ReaderDataFileFormat.xlsx), (.en, .xlsx), (.zhTW, .ods), (.en, .ods),
    ])
    func emptyTemplateIsNoApplication(locale: ReaderDataFileLocale, format: ReaderDataFileFormat) throws {
        let bytes = format == .xlsx ? try ReaderDataFileTemplate.xlsx(locale: locale) : try ReaderDataFileTemplate.ods(locale: locale)
        let report = try checker.check(data: bytes)
        #expect(report.format == format)
        #expect(report.sheetName == ReaderDataFileTemplate.dataSheetName(locale: locale))
        #expect(report.headerRow == 1)
        #expect(report.columns.count == 10)
        #expect(report.rows == 0)
        let idHeader = ReaderDataFileTemplate.header(.idNumber, locale: locale)
        #expect(triples(report) == ["2 \(idHeader) no_data_rows"])
    }

    @Test("xlsx template filled in by openpyxl passes the checker, leading zeros and ROC dates intact")
    func xlsxTemplateFilledByOpenpyxl() async throws {
        let folder = try ScratchFolder()
        let template = try folder.write(try ReaderDataFileTemplate.xlsx(), as: "template.xlsx")
        let rows = try folder.write(try JSONSerialization.data(withJSONObject: Self.filledRows.map { $0.map { $0 as Any? ?? NSNull() } }), as: "rows.json")
        let filled = folder.file("filled.xlsx")
        _ = try await readWritten(["fill-xlsx", template.path, filled.path, rows.path])
        let report = try checker.check(contentsOf: filled)
        #expect(report.errors.isEmpty, "\(triples(report))")
        #expect(report.sheetName == "讀者資料")
        #expect(report.validRows.map(\.row) == [2, 3, 4])
        let first = try #require(report.validRows.first)
        #expect(first.idNumber.value == validID(1_234_567))
        #expect(first.birthDate == day(2010, 5, 3))
        #expect(first.mobile == "0912345678")
        #expect(first.role == .student)
        #expect(report.validRows[1].idNumber.value == validID(2_345_678))
        #expect(report.validRows[1].role == .staff)
        #expect(report.validRows[2].birthDate == day(2011, 1, 2))
        // The header row and the columns' text format survived openpyxl's load and save.
        let reread = try await OpenpyxlWorkbook(filled)
        #expect(reread["讀者資料"]?.row(1) == Self.zhHeaders)
        #expect(reread["讀者資料"]?.columnFormat("H") == "@")
        #expect(reread["讀者資料"]?.value("H2") == "0912345678")
    }

    @Test("English xlsx template filled in by openpyxl passes the checker")
    func englishTemplateFilledByOpenpyxl() async throws {
        let folder = try ScratchFolder()
        let template = try folder.write(try ReaderDataFileTemplate.xlsx(locale: .en), as: "template.xlsx")
        let values: [[Any]] = [
            ["1", validID(11), "Amy Lin", "Female", "2010/05/03", "Staff", "amy@example.org", "0933111222", "Library", NSNull()],
            ["2", validID(12), "Ben Wu", "Male", "099/12/31", "Student", "ben@example.org", NSNull(), "5A", NSNull()],
        ]
        let rows = try folder.write(try JSONSerialization.data(withJSONObject: values), as: "rows.json")
        let filled = folder.file("filled.xlsx")
        _ = try await readWritten(["fill-xlsx", template.path, filled.path, rows.path])
        let report = try checker.check(contentsOf: filled)
        #expect(report.errors.isEmpty, "\(triples(report))")
        #expect(report.validRows.map(\.role) == [.staff, .student])
        #expect(report.validRows.map(\.gender) == [.female, .male])
        #expect(report.validRows[1].birthDate == day(2010, 12, 31))
    }

    @Test("ods: mimetype first and stored, tables in order, bold shaded headers, text-formatted columns, drop-down cells")
    func odsTemplateSeenByOdfpy() async throws {
        let folder = try ScratchFolder()
        let url = try folder.write(try ReaderDataFileTemplate.ods(locale: .zhTW), as: "template.ods")
        let document = try await readWritten(["ods", url.path])
        let zip = try #require(document["zip"] as? [String: Any])
        let entries = try #require(zip["entries"] as? [[String: Any]])
        #expect(entries.first?["name"] as? String == "mimetype")
        #expect(entries.first?["stored"] as? Bool == true)
        #expect(entries.first?["extra"] as? Int == 0)
        #expect(entries.dropFirst().allSatisfy { $0["stored"] as? Bool == false })
        #expect(zip["magic"] as? String == "mimetype")
        #expect(zip["magic_type"] as? String == "application/vnd.oasis.opendocument.spreadsheet")
        #expect(zip["crc_ok"] as? Bool == true)

        let tables = try #require(document["tables"] as? [[String: Any]])
        #expect(tables.map { $0["name"] as? String } == ["讀者資料", "填寫說明"])
        let data = tables[0]
        let rows = try #require(data["rows"] as? [[String]])
        #expect(rows == [Self.zhHeaders])
        #expect(data["row_count"] as? Int == 100_001)
        let styles = try #require(document["styles"] as? [String: [String: Any]])
        let cellStyles = try #require(data["styles"] as? [String: String])
        #expect((1...10).allSatisfy { cellStyles["1:\($0)"] == "Header" })
        #expect(styles["Header"]?["bold"] as? Bool == true)
        #expect(styles["Header"]?["background"] as? String == "#d9e1f2")
        #expect(styles["Header"]?["data_style"] as? String == "NText")
        #expect(styles["Text"]?["data_style"] as? String == "NText")
        let columns = try #require(data["columns"] as? [[String: Any]])
        #expect(columns.map { $0["default"] as? String } == ["Default"] + Array(repeating: "Text", count: 9))
        let validations = try #require(data["validations"] as? [String: String])
        #expect(validations["2:6"] != nil)  // 身分別
        #expect(validations["2:4"] != nil)  // 性別
        #expect(validations["2:2"] == nil)

        let instructions = try #require(tables[1]["rows"] as? [[String]])
        #expect(instructions.first?.first?.contains("讀者資料檔填寫說明") == true)
        #expect(instructions.count > 14)
        #expect((4...13).map { instructions[$0].first ?? "" } == Self.zhHeaders)
        #expect(instructions[5].last == "A123456789")
    }

    @Test("ods template filled in by odfpy passes the checker")
    func odsTemplateFilledByOdfpy() async throws {
        let folder = try ScratchFolder()
        let template = try folder.write(try ReaderDataFileTemplate.ods(), as: "template.ods")
        let rows = try folder.write(try JSONSerialization.data(withJSONObject: Self.filledRows.map { $0.map { $0 as Any? ?? NSNull() } }), as: "rows.json")
        let filled = folder.file("filled.ods")
        _ = try await readWritten(["fill-ods", template.path, filled.path, rows.path])
        let report = try checker.check(contentsOf: filled)
        #expect(report.format == .ods)
        #expect(report.errors.isEmpty, "\(triples(report))")
        #expect(report.validRows.map(\.row) == [2, 3, 4])
        #expect(report.validRows.first?.mobile == "0912345678")
        #expect(report.validRows.first?.birthDate == day(2010, 5, 3))
    }
}
