import Foundation
import OneCardDomain
import Testing
@testable import ReaderDataFile

/// Every sheet and cell text the project's own readers see in a file.
struct CollectedSheets: RowConsumer {
    var names: [String] = []
    var cells: [String: [Int: [Int: String]]] = [:]

    mutating func beginSheet(named name: String) { names.append(name) }

    mutating func consume(_ row: SheetRow) throws -> RowDisposition {
        for cell in row.cells { cells[names.last ?? "", default: [:]][row.number, default: [:]][cell.column] = cell.value.text }
        return .more
    }

    mutating func endSheet() throws -> Bool { false }

    static func read(_ data: Data) throws -> CollectedSheets {
        var collected = CollectedSheets()
        try checker.read(try checker.detect(.data(data)), from: .data(data), into: &collected)
        return collected
    }
}

@Suite("xlsx and ods writers, read back by openpyxl, odfpy and the project's readers")
struct SpreadsheetWriterTests {
    static let awkward = [
        "a & b < c > d \"q\" 'a'",
        "  leading, trailing and  double  spaces  ",
        "line 1\nline 2\ttab",
        "_x0041_ is not A",
        "😀 emoji, 𠀀 and 臺灣",
    ]

    /// The same workbook in either format: awkward texts, numbers, skipped rows, unsorted cells, three
    /// sheets with names that need cleaning.
    static func write(to writer: some SpreadsheetWriter) throws {
        try writer.beginSheet(SpreadsheetSheet(
            name: "名單 & <資料>",
            columns: [SpreadsheetColumn(width: 12, style: .text), SpreadsheetColumn(width: 8.5), SpreadsheetColumn(width: 30, style: .wrapped)],
            frozenRows: 1))
        try writer.appendRow(texts: ["Text", "Number", "Note"], style: .header)
        for (index, text) in awkward.enumerated() {
            try writer.appendRow([.text(text, column: 0), .number(Double(index) - 1.25, column: 1), .text("row \(index + 2)", column: 2, style: .wrapped)])
        }
        try writer.appendRow([.text("control\u{07}chars\u{0B}gone\u{FFFE}", column: 0), .number(1_234_567_890_123, column: 1)], at: 10)
        try writer.appendRow([.text("C", column: 2), .text("", column: 1, style: .bad), .text("A", column: 0, style: .bad)])
        try writer.beginSheet(SpreadsheetSheet(name: "a/b:c?[d]*"))
        try writer.appendRow(texts: ["second"])
        try writer.beginSheet(SpreadsheetSheet(name: "名單 & <資料>"))
        try writer.beginSheet(SpreadsheetSheet(name: String(repeating: "長", count: 40)))
        try writer.appendRow([.number(3, column: 3)], at: 3)
    }

    static let sheetNames = ["名單 & <資料>", "a_b_c__d__", "名單 & <資料> (2)", String(repeating: "長", count: 31)]

    @Test("xlsx: openpyxl sees the sheets, texts, numbers, styles, widths and the frozen row")
    func xlsxSeenByOpenpyxl() async throws {
        let writer = try XLSXWriter()
        try Self.write(to: writer)
        let folder = try ScratchFolder()
        let url = try folder.write(try writer.finish(), as: "written.xlsx")
        let workbook = try await OpenpyxlWorkbook(url)
        #expect(workbook.sheetNames == Self.sheetNames)
        #expect(workbook.crcOK)
        let entries = workbook.zipEntries.compactMap { $0["name"] as? String }
        #expect(Set(entries) == ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
                                 "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml", "xl/worksheets/sheet4.xml"])
        #expect(workbook.zipEntries.allSatisfy { $0["stored"] as? Bool == false })

        let sheet = try #require(workbook[Self.sheetNames[0]])
        #expect(sheet.row(1) == ["Text", "Number", "Note"])
        #expect((0..<3).allSatisfy { sheet.isBold(columnLetters($0) + "1") && sheet.fill(columnLetters($0) + "1") == XLSXWriter.headerFill })
        for (index, text) in Self.awkward.enumerated() where !text.hasPrefix("_x") {
            #expect(sheet.value("A\(index + 2)") == text)
        }
        // openpyxl does not decode ST_Xstring escapes; Excel, LibreOffice and the project's reader do.
        #expect(sheet.value("A5") == "_x005F_x0041_ is not A")
        #expect(sheet.cells["B2"]?["v"] as? Double == -1.25)
        #expect(sheet.cells["B3"]?["v"] as? Double == -0.25)
        #expect(sheet.cells["B10"]?["v"] as? Int == 1_234_567_890_123)
        #expect(sheet.value("A10") == "controlcharsgone")
        #expect((7...9).allSatisfy { sheet.row($0).isEmpty })
        #expect(sheet.row(11) == ["A", "", "C"])
        #expect(sheet.cells(filled: XLSXWriter.badFill) == ["A11", "B11"])
        #expect(sheet.cells["A11"]?["color"] as? String == XLSXWriter.errorFont)
        #expect(sheet.format("A2") == "@")
        #expect(sheet.format("B2") == "General")
        #expect(sheet.cells["C2"]?["wrap"] as? Bool == true)
        #expect(sheet.columnFormat("A") == "@")
        #expect(sheet.columnWidth("A") == 12)
        #expect(sheet.columnWidth("B") == 8.5)
        #expect(sheet.freezePanes == "A2")
        #expect(workbook[Self.sheetNames[1]]?.value("A1") == "second")
        #expect(workbook[Self.sheetNames[1]]?.freezePanes == nil)
        #expect(workbook[Self.sheetNames[2]]?.cells.isEmpty == true)
        #expect(workbook[Self.sheetNames[3]]?.cells["D3"]?["v"] as? Int == 3)
    }

    @Test("ods: odfpy sees the tables, texts with their spaces, tabs and lines, and the styles")
    func odsSeenByOdfpy() async throws {
        let writer = try ODSWriter()
        try Self.write(to: writer)
        let folder = try ScratchFolder()
        let url = try folder.write(try writer.finish(), as: "written.ods")
        let document = try await readWritten(["ods", url.path])
        let zip = try #require(document["zip"] as? [String: Any])
        let entries = try #require(zip["entries"] as? [[String: Any]])
        #expect(entries.compactMap { $0["name"] as? String } == ["mimetype", "META-INF/manifest.xml", "styles.xml", "settings.xml", "content.xml"])
        #expect(entries[0]["stored"] as? Bool == true)
        #expect(zip["magic_type"] as? String == ODSWriter.mimeType)
        let tables = try #require(document["tables"] as? [[String: Any]])
        #expect(tables.compactMap { $0["name"] as? String } == Self.sheetNames)
        let rows = try #require(tables[0]["rows"] as? [[String]])
        #expect(rows[0] == ["Text", "Number", "Note"])
        #expect(rows[1...5].map { $0[0] } == Self.awkward)
        #expect(rows[1][1] == "-1.25")
        #expect(rows[9] == ["controlcharsgone", "1234567890123"])
        #expect(rows[10] == ["A", "", "C"])
        let styles = try #require(tables[0]["styles"] as? [String: String])
        #expect(styles["1:1"] == "Header")
        #expect(styles["11:1"] == "Bad" && styles["11:2"] == "Bad")
        #expect(styles["2:3"] == "Wrapped")
        let named = try #require(document["styles"] as? [String: [String: Any]])
        #expect(named["Bad"]?["background"] as? String == "#ffc7ce")
        #expect(named["Wrapped"]?["wrap"] as? String == "wrap")
        #expect(named["Title"]?["bold"] as? Bool == true)
        let columns = try #require(tables[0]["columns"] as? [[String: Any]])
        #expect(columns.map { $0["default"] as? String } == ["Text", "Default", "Wrapped"])
    }

    @Test("the project's own readers read both formats back cell for cell", arguments: [ReaderDataFileFormat.xlsx, .ods])
    func readBackByOwnReaders(format: ReaderDataFileFormat) async throws {
        let writer: any SpreadsheetWriter = format == .xlsx ? try XLSXWriter() : try ODSWriter()
        try Self.write(to: writer)
        let data = try writer.finish()
        let collected = try CollectedSheets.read(data)
        #expect(collected.names == Self.sheetNames)
        let cells = try #require(collected.cells[Self.sheetNames[0]])
        #expect(cells[1] == [0: "Text", 1: "Number", 2: "Note"])
        for (index, text) in Self.awkward.enumerated() {
            #expect(cells[index + 2]?[0] == text)
            #expect(cells[index + 2]?[1] == CellValue.format(Double(index) - 1.25))
        }
        #expect(cells[10] == [0: "controlcharsgone", 1: "1234567890123"])
        #expect(cells[11] == [0: "A", 2: "C"])
        #expect(Set(cells.keys) == Set([1, 2, 3, 4, 5, 6, 10, 11]))
        #expect(collected.cells[Self.sheetNames[3]]?[3] == [3: "3"])
    }

    @Test("misuse is refused with a reason")
    func misuse() async throws {
        let writer = try XLSXWriter()
        #expect(throws: SpreadsheetWriterError.noSheet) { try writer.appendRow(texts: ["x"]) }
        #expect(throws: SpreadsheetWriterError.noSheet) { try XLSXWriter().finish() }
        try writer.beginSheet(SpreadsheetSheet(name: "x"))
        try writer.appendRow(texts: ["a"], at: 5)
        #expect(throws: SpreadsheetWriterError.rowOutOfOrder(row: 5, previous: 5)) { try writer.appendRow(texts: ["b"], at: 5) }
        #expect(throws: SpreadsheetWriterError.rowOutOfRange(1_048_577)) { try writer.appendRow(texts: ["b"], at: 1_048_577) }
        #expect(throws: SpreadsheetWriterError.columnOutOfRange(16_384)) { try writer.appendRow([.text("b", column: 16_384)]) }
        _ = try writer.finish()
        #expect(throws: SpreadsheetWriterError.finished) { try writer.finish() }
        let ods = try ODSWriter()
        #expect(throws: SpreadsheetWriterError.noSheet) { try ods.appendRow(texts: ["x"]) }
    }

    @Test("text for XML: escaped, characters XML 1.0 forbids dropped, _xHHHH_ kept literal in xlsx")
    func escaping() async {
        #expect(XMLEscaping.escape("a&b<c>\"d\"\r") == "a&amp;b&lt;c&gt;&quot;d&quot;&#13;")
        #expect(XMLEscaping.escape("a\u{01}b\u{FFFF}c\td\n") == "abc\td\n")
        #expect(XMLEscaping.escape("tab\tline\n", attribute: true) == "tab&#9;line&#10;")
        #expect(XMLEscaping.escape("臺灣，全形") == "臺灣，全形")
        #expect(XLSXWriter.escapeOOXML("_x0041_ and _x00_") == "_x005F_x0041_ and _x00_")
        #expect(XMLText.unescapeOOXML(XLSXWriter.escapeOOXML("_x0041_")) == "_x0041_")
        #expect(ODSWriter.paragraphs(" a  b\tc\nd ") == "<text:p><text:s/>a <text:s text:c=\"1\"/>b<text:tab/>c</text:p><text:p>d<text:s/></text:p>")
    }
}

@Suite("Batch summary: names and card numbers")
struct BatchSummaryTests {
    static let rows = [
        BatchSummary.Row(sequence: "1", name: "王小明", cardNumber: CardNumber.make(prefix: "0100", serial: 1).value, role: .student, unit: "五年甲班"),
        BatchSummary.Row(sequence: nil, name: "林老師", cardNumber: CardNumber.make(prefix: "0100", serial: 2).value, role: .staff, unit: nil),
    ]

    @Test("xlsx: title, count, bold frozen header; card numbers stay text with their leading zero")
    func xlsxSummary() async throws {
        let folder = try ScratchFolder()
        let url = try folder.write(try BatchSummary.xlsx(rows: Self.rows, title: "某某國小 第 1 批集體辦證"), as: "summary.xlsx")
        let workbook = try await OpenpyxlWorkbook(url)
        #expect(workbook.sheetNames == ["辦證結果"])
        let sheet = try #require(workbook["辦證結果"])
        #expect(sheet.value("A1") == "某某國小 第 1 批集體辦證")
        #expect(sheet.isBold("A1"))
        #expect(sheet.value("A2") == "共 2 人")
        #expect(sheet.row(3) == ["序號", "姓名", "借閱證號", "身分別", "班級/單位"])
        #expect(sheet.isBold("C3"))
        #expect(sheet.freezePanes == "A4")
        let card = CardNumber.make(prefix: "0100", serial: 1).value
        #expect(card.hasPrefix("0"))
        #expect(sheet.row(4) == ["1", "王小明", card, "學生", "五年甲班"])
        #expect(sheet.format("C4") == "@")
        #expect(sheet.columnFormat("C") == "@")
        #expect(sheet.row(5) == ["", "林老師", CardNumber.make(prefix: "0100", serial: 2).value, "教職員"])
        #expect(sheet.maxRow == 5)
    }

    @Test("ods and English: odfpy sees the same rows")
    func odsSummaryInEnglish() async throws {
        let folder = try ScratchFolder()
        let url = try folder.write(try BatchSummary.ods(rows: Self.rows, title: "Batch 1", locale: .en), as: "summary.ods")
        let document = try await readWritten(["ods", url.path])
        let tables = try #require(document["tables"] as? [[String: Any]])
        #expect(tables.compactMap { $0["name"] as? String } == ["Cards"])
        let rows = try #require(tables[0]["rows"] as? [[String]])
        #expect(rows[0] == ["Batch 1"])
        #expect(rows[1] == ["2 readers"])
        #expect(rows[2] == ["No.", "Name", "Card number", "Role", "Class/Unit"])
        #expect(rows[3] == ["1", "王小明", CardNumber.make(prefix: "0100", serial: 1).value, "Student", "五年甲班"])
        #expect(rows[4] == ["", "林老師", CardNumber.make(prefix: "0100", serial: 2).value, "Staff"])
    }

    @Test("a row from an imported reader and its card")
    func rowFromReader() async throws {
        let report = try check("template-openpyxl.xlsx")
        let reader = try #require(report.validRows.first)
        let card = CardNumber.make(prefix: "0100", serial: 42)
        let row = BatchSummary.Row(reader, cardNumber: card)
        #expect(row == BatchSummary.Row(sequence: "1", name: "王小明", cardNumber: card.value, role: .student, unit: "五年甲班"))
    }
}
