import Foundation

/// Writes Office Open XML workbooks (xlsx): inline strings, numbers, the seven `SpreadsheetCellStyle`s,
/// column widths and styles, frozen rows and drop-down lists.
///
/// ```swift
/// let writer = try XLSXWriter()
/// try writer.beginSheet(SpreadsheetSheet(name: "讀者資料", columns: columns, frozenRows: 1))
/// try writer.appendRow(texts: headers, style: .header)
/// let bytes = try writer.finish()
/// ```
///
/// Each sheet's XML is written to a temporary file as rows come and deflated into the zip at the end.
public final class XLSXWriter: SpreadsheetWriter {
    private struct FinishedSheet {
        var name: String
        var part: BufferedFileOutput
    }

    private let scratch: WorkbookScratch
    private var names = SheetNames()
    private var sheets: [FinishedSheet] = []
    private var current: (sheet: SpreadsheetSheet, part: BufferedFileOutput)?
    private var cursor = SheetRowCursor()
    private var finished = false

    public init() throws(SpreadsheetWriterError) {
        scratch = try WorkbookScratch()
    }

    public func beginSheet(_ sheet: SpreadsheetSheet) throws(SpreadsheetWriterError) {
        guard !finished else { throw .finished }
        try endSheet()
        let name = names.unique(sheet.name)
        let part = try scratch.file("sheet\(sheets.count + 1).xml")
        sheets.append(FinishedSheet(name: name, part: part))
        current = (sheet, part)
        cursor = SheetRowCursor()
        try part.write(Self.sheetHead(sheet, selected: sheets.count == 1))
    }

    public func appendRow(_ cells: [SpreadsheetCell], at row: Int?) throws(SpreadsheetWriterError) {
        guard !finished else { throw .finished }
        guard let current else { throw .noSheet }
        let number = try cursor.next(row)
        let ordered = try SheetRowCursor.ordered(cells)
        var xml = "<row r=\"\(number)\""
        if let height = WrappedRowHeight.points(for: ordered, columns: current.sheet.columns) {
            xml += " ht=\"\(XMLEscaping.number(height))\" customHeight=\"1\""
        }
        xml += ">"
        for cell in ordered {
            let reference = columnLetters(cell.column) + String(number)
            let style = Self.styleIndex(cell.style)
            let styleAttribute = style == 0 ? "" : " s=\"\(style)\""
            switch cell.value {
            case .text(let text):
                if text.isEmpty {
                    xml += "<c r=\"\(reference)\"\(styleAttribute)/>"
                } else {
                    xml += "<c r=\"\(reference)\"\(styleAttribute) t=\"inlineStr\"><is><t xml:space=\"preserve\">"
                    xml += XMLEscaping.escape(Self.escapeOOXML(text))
                    xml += "</t></is></c>"
                }
            case .number(let value):
                if value.isFinite {
                    xml += "<c r=\"\(reference)\"\(styleAttribute)><v>\(XMLEscaping.number(value))</v></c>"
                } else {
                    xml += "<c r=\"\(reference)\"\(styleAttribute) t=\"inlineStr\"><is><t>\(value)</t></is></c>"
                }
            }
        }
        xml += "</row>"
        try current.part.write(xml)
    }

    public func finish() throws(SpreadsheetWriterError) -> Data {
        guard !finished else { throw .finished }
        try endSheet()
        guard !sheets.isEmpty else { throw .noSheet }
        finished = true
        defer { scratch.remove() }
        let zip = try ZipBuilder()
        try zip.add("[Content_Types].xml", text: contentTypes())
        try zip.add("_rels/.rels", text: Self.packageRelationships)
        try zip.add("xl/workbook.xml", text: workbook())
        try zip.add("xl/_rels/workbook.xml.rels", text: workbookRelationships())
        try zip.add("xl/styles.xml", text: Self.styles)
        for (index, sheet) in sheets.enumerated() {
            try zip.add("xl/worksheets/sheet\(index + 1).xml", file: sheet.part)
        }
        return try zip.data()
    }

    private func endSheet() throws(SpreadsheetWriterError) {
        guard let current else { return }
        self.current = nil
        try current.part.write(Self.sheetTail(current.sheet))
        try current.part.close()
    }

    // MARK: Sheet XML

    private static func sheetHead(_ sheet: SpreadsheetSheet, selected: Bool) -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        xml += #"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" "#
        xml += #"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#
        xml += "<sheetViews><sheetView workbookViewId=\"0\"\(selected ? " tabSelected=\"1\"" : "")>"
        let frozen = min(max(sheet.frozenRows, 0), SpreadsheetSheet.maximumRows - 1)
        if frozen > 0 {
            let topLeft = "A\(frozen + 1)"
            xml += "<pane ySplit=\"\(frozen)\" topLeftCell=\"\(topLeft)\" activePane=\"bottomLeft\" state=\"frozen\"/>"
            xml += "<selection pane=\"bottomLeft\" activeCell=\"\(topLeft)\" sqref=\"\(topLeft)\"/>"
        }
        xml += "</sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>"
        let columns = sheet.columns.prefix(SpreadsheetSheet.maximumColumns)
        if !columns.isEmpty {
            xml += "<cols>"
            for (index, column) in columns.enumerated() {
                let style = styleIndex(column.style)
                let width = XMLEscaping.number((min(max(column.width, 0), 255) * 100).rounded() / 100)
                xml += "<col min=\"\(index + 1)\" max=\"\(index + 1)\" width=\"\(width)\" customWidth=\"1\""
                xml += style == 0 ? "/>" : " style=\"\(style)\"/>"
            }
            xml += "</cols>"
        }
        return xml + "<sheetData>"
    }

    private static func sheetTail(_ sheet: SpreadsheetSheet) -> String {
        var xml = "</sheetData>"
        let validations = sheet.listValidations.filter {
            $0.column >= 0 && $0.column < SpreadsheetSheet.maximumColumns && $0.rows.lowerBound >= 1 && !$0.values.isEmpty
        }
        if !validations.isEmpty {
            xml += "<dataValidations count=\"\(validations.count)\">"
            for validation in validations {
                let letters = columnLetters(validation.column)
                let last = min(validation.rows.upperBound, SpreadsheetSheet.maximumRows)
                let list = validation.values.map { $0.replacingOccurrences(of: "\"", with: "").replacingOccurrences(of: ",", with: "") }
                    .joined(separator: ",")
                xml += "<dataValidation type=\"list\" allowBlank=\"1\" showInputMessage=\"1\" showErrorMessage=\"1\""
                xml += " errorTitle=\"\(XMLEscaping.escape(String(validation.errorTitle.prefix(32)), attribute: true))\""
                xml += " error=\"\(XMLEscaping.escape(String(validation.errorMessage.prefix(255)), attribute: true))\""
                xml += " sqref=\"\(letters)\(validation.rows.lowerBound):\(letters)\(last)\">"
                xml += "<formula1>\"\(XMLEscaping.escape(list))\"</formula1></dataValidation>"
            }
            xml += "</dataValidations>"
        }
        xml += #"<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>"#
        return xml + "</worksheet>"
    }

    /// `_x0041_` in cell text means "A" to Excel; text that holds such a sequence literally escapes its `_`.
    static func escapeOOXML(_ text: String) -> String {
        guard text.containsBytes("_x") else { return text }
        var result = ""
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            if scalar == "_", index + 6 < scalars.count, scalars[index + 1] == "x" || scalars[index + 1] == "X",
               scalars[index + 6] == "_",
               scalars[(index + 2)...(index + 5)].allSatisfy({ $0.properties.isASCIIHexDigit }) {
                result += "_x005F_"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    // MARK: Package parts

    private func contentTypes() -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        xml += #"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#
        xml += #"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#
        xml += #"<Default Extension="xml" ContentType="application/xml"/>"#
        xml += #"<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#
        xml += #"<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#
        for index in sheets.indices {
            xml += "<Override PartName=\"/xl/worksheets/sheet\(index + 1).xml\" "
            xml += #"ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        }
        return xml + "</Types>"
    }

    private static let packageRelationships = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        + #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
        + #"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>"#
        + "</Relationships>"

    private func workbook() -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        xml += #"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" "#
        xml += #"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#
        xml += #"<bookViews><workbookView activeTab="0"/></bookViews><sheets>"#
        for (index, sheet) in sheets.enumerated() {
            xml += "<sheet name=\"\(XMLEscaping.escape(sheet.name, attribute: true))\" sheetId=\"\(index + 1)\" r:id=\"rId\(index + 1)\"/>"
        }
        return xml + "</sheets></workbook>"
    }

    private func workbookRelationships() -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        xml += #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
        for index in sheets.indices {
            xml += "<Relationship Id=\"rId\(index + 1)\" "
            xml += #"Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" "#
            xml += "Target=\"worksheets/sheet\(index + 1).xml\"/>"
        }
        xml += "<Relationship Id=\"rId\(sheets.count + 1)\" "
        xml += #"Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#
        return xml + "</Relationships>"
    }

    // MARK: Styles

    /// The cell format (`cellXfs`) index of each style, in the order of `styles`.
    static func styleIndex(_ style: SpreadsheetCellStyle) -> Int {
        switch style {
        case .general: 0
        case .text: 1
        case .header: 2
        case .title: 3
        case .wrapped: 4
        case .bad: 5
        case .errorNote: 6
        }
    }

    /// Fill colours, also checked by the tests.
    static let badFill = "FFFFC7CE"
    static let headerFill = "FFD9E1F2"
    static let errorFont = "FF9C0006"

    /// Fonts: 0 normal, 1 bold, 2 bold 14 pt, 3 dark red. Fills: 0 none, 1 gray125 (both required), 2 light
    /// red, 3 light blue. Number format 49 is the built-in text format `@`.
    private static let styles = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        + #"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#
        + #"<fonts count="4">"#
        + #"<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>"#
        + #"<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>"#
        + #"<font><b/><sz val="14"/><name val="Calibri"/><family val="2"/></font>"#
        + #"<font><sz val="11"/><color rgb="\#(errorFont)"/><name val="Calibri"/><family val="2"/></font>"#
        + "</fonts>"
        + #"<fills count="4">"#
        + #"<fill><patternFill patternType="none"/></fill>"#
        + #"<fill><patternFill patternType="gray125"/></fill>"#
        + #"<fill><patternFill patternType="solid"><fgColor rgb="\#(badFill)"/><bgColor indexed="64"/></patternFill></fill>"#
        + #"<fill><patternFill patternType="solid"><fgColor rgb="\#(headerFill)"/><bgColor indexed="64"/></patternFill></fill>"#
        + "</fills>"
        + #"<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"#
        + #"<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#
        + #"<cellXfs count="7">"#
        + #"<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>"#
        + #"<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>"#
        + #"<xf numFmtId="49" fontId="1" fillId="3" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1" applyFill="1" applyAlignment="1"><alignment vertical="center"/></xf>"#
        + #"<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>"#
        + #"<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>"#
        + #"<xf numFmtId="49" fontId="3" fillId="2" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1" applyFill="1"/>"#
        + #"<xf numFmtId="49" fontId="3" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>"#
        + "</cellXfs>"
        + #"<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>"#
        + "</styleSheet>"
}
