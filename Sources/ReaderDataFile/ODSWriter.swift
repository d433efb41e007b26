import Foundation

/// Writes OpenDocument spreadsheets (ods) with the same cells, styles, column widths, frozen rows and
/// drop-down lists as `XLSXWriter`.
///
/// The package starts with `mimetype`, stored uncompressed, as ODF requires so that the type can be read
/// at a fixed offset; then `META-INF/manifest.xml`, `styles.xml` (the seven cell styles as named styles),
/// `settings.xml` (frozen rows) and `content.xml`. All tables share `content.xml`, whose body is written
/// to a temporary file as rows come; its automatic styles and drop-down lists, which come before the
/// body, are added at the end.
public final class ODSWriter: SpreadsheetWriter {
    static let mimeType = "application/vnd.oasis.opendocument.spreadsheet"

    private struct Table {
        var name: String
        var frozenRows: Int
    }

    private struct Validation {
        var name: String
        var column: Int
        var rows: ClosedRange<Int>
    }

    private let scratch: WorkbookScratch
    private let body: BufferedFileOutput
    private var names = SheetNames()
    private var tables: [Table] = []
    private var current: SpreadsheetSheet?
    private var currentValidations: [Validation] = []
    private var cursor = SheetRowCursor()
    private var finished = false
    /// Column widths in use, by automatic style name.
    private var columnStyles: [String: Double] = [:]
    /// Heights of rows with wrapped cells, in points, by automatic style name.
    private var rowStyles: [String: Double] = [:]
    private var validationElements: [String] = []

    public init() throws(SpreadsheetWriterError) {
        scratch = try WorkbookScratch()
        body = try scratch.file("body.xml")
    }

    public func beginSheet(_ sheet: SpreadsheetSheet) throws(SpreadsheetWriterError) {
        guard !finished else { throw .finished }
        try endSheet()
        let name = names.unique(sheet.name)
        tables.append(Table(name: name, frozenRows: max(0, sheet.frozenRows)))
        current = sheet
        cursor = SheetRowCursor()
        currentValidations = []
        for validation in sheet.listValidations
        where validation.column >= 0 && validation.column < SpreadsheetSheet.maximumColumns
            && validation.rows.lowerBound >= 1 && !validation.values.isEmpty {
            let rows = validation.rows.lowerBound...min(validation.rows.upperBound, SpreadsheetSheet.maximumRows)
            let validationName = "val\(validationElements.count + 1)"
            currentValidations.append(Validation(name: validationName, column: validation.column, rows: rows))
            validationElements.append(Self.validationElement(validation, name: validationName, table: name))
        }

        var xml = "<table:table table:name=\"\(XMLEscaping.escape(name, attribute: true))\">"
        for column in sheet.columns.prefix(SpreadsheetSheet.maximumColumns) {
            let width = (min(max(column.width, 0.5), 255) * 100).rounded() / 100
            let styleName = "co" + XMLEscaping.number(width * 100)
            columnStyles[styleName] = width
            xml += "<table:table-column table:style-name=\"\(styleName)\""
            xml += " table:default-cell-style-name=\"\(Self.styleName(column.style))\"/>"
        }
        try body.write(xml)
    }

    public func appendRow(_ cells: [SpreadsheetCell], at row: Int?) throws(SpreadsheetWriterError) {
        guard !finished else { throw .finished }
        guard let current else { throw .noSheet }
        let previous = cursor.lastRow
        let number = try cursor.next(row)
        let ordered = try SheetRowCursor.ordered(cells)
        try writeEmptyRows(from: previous + 1, through: number - 1)
        var xml = "<table:table-row"
        if let height = WrappedRowHeight.points(for: ordered, columns: current.columns) {
            let styleName = "ro" + XMLEscaping.number(height)
            rowStyles[styleName] = height
            xml += " table:style-name=\"\(styleName)\""
        }
        xml += ">"
        var column = 0
        for cell in ordered {
            xml += emptyCells(row: number, from: column, to: cell.column)
            xml += Self.cellElement(cell, validation: validationName(row: number, column: cell.column))
            column = cell.column + 1
        }
        xml += emptyCells(row: number, from: column, to: validationEnd(row: number, after: column))
        xml += "</table:table-row>"
        try body.write(xml)
    }

    public func finish() throws(SpreadsheetWriterError) -> Data {
        guard !finished else { throw .finished }
        try endSheet()
        guard !tables.isEmpty else { throw .noSheet }
        finished = true
        defer { scratch.remove() }
        try body.close()

        let content = try scratch.file("content.xml")
        try content.write(contentHead())
        do {
            let handle = try FileHandle(forReadingFrom: body.url)
            defer { try? handle.close() }
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                try content.write(chunk)
            }
        } catch let error as SpreadsheetWriterError {
            throw error
        } catch {
            throw .io("cannot read \(body.url.path): \(error)")
        }
        try content.write("</office:spreadsheet></office:body></office:document-content>")

        let zip = try ZipBuilder()
        try zip.add("mimetype", text: Self.mimeType, compressed: false)
        try zip.add("META-INF/manifest.xml", text: Self.manifest)
        try zip.add("styles.xml", text: Self.styles)
        try zip.add("settings.xml", text: settings())
        try zip.add("content.xml", file: content)
        return try zip.data()
    }

    private func endSheet() throws(SpreadsheetWriterError) {
        guard current != nil else { return }
        current = nil
        // Drop-down lists below the last row written (a template's empty rows).
        let last = currentValidations.map(\.rows.upperBound).max() ?? 0
        try writeEmptyRows(from: cursor.lastRow + 1, through: last)
        try body.write("</table:table>")
    }

    // MARK: Rows and cells

    /// Rows without values from `first` to `last`: grouped into repeated rows, with the drop-down lists' cells.
    private func writeEmptyRows(from first: Int, through last: Int) throws(SpreadsheetWriterError) {
        guard first <= last else { return }
        // The rows where the set of drop-down lists in force changes.
        var bounds = Set([first, last + 1])
        for validation in currentValidations {
            for bound in [validation.rows.lowerBound, validation.rows.upperBound + 1] where bound > first && bound <= last {
                bounds.insert(bound)
            }
        }
        let starts = bounds.sorted()
        for (start, next) in zip(starts, starts.dropFirst()) {
            let count = next - start
            let cells = emptyCells(row: start, from: 0, to: validationEnd(row: start, after: 0))
            let repeated = count > 1 ? " table:number-rows-repeated=\"\(count)\"" : ""
            try body.write("<table:table-row\(repeated)>\(cells.isEmpty ? "<table:table-cell/>" : cells)</table:table-row>")
        }
    }

    private func validationName(row: Int, column: Int) -> String? {
        currentValidations.first { $0.column == column && $0.rows.contains(row) }?.name
    }

    /// One past the last column of `row` with a drop-down list, or `after` when there is none further right.
    private func validationEnd(row: Int, after column: Int) -> Int {
        currentValidations.filter { $0.rows.contains(row) && $0.column >= column }.map { $0.column + 1 }.max() ?? column
    }

    /// Empty cells for columns `from..<to`, repeated where they agree, keeping drop-down lists.
    private func emptyCells(row: Int, from: Int, to: Int) -> String {
        guard from < to else { return "" }
        var xml = ""
        var column = from
        while column < to {
            let validation = validationName(row: row, column: column)
            var end = column + 1
            while end < to, validationName(row: row, column: end) == validation { end += 1 }
            xml += "<table:table-cell"
            if end - column > 1 { xml += " table:number-columns-repeated=\"\(end - column)\"" }
            if let validation { xml += " table:content-validation-name=\"\(validation)\"" }
            xml += "/>"
            column = end
        }
        return xml
    }

    private static func cellElement(_ cell: SpreadsheetCell, validation: String?) -> String {
        var xml = "<table:table-cell table:style-name=\"\(styleName(cell.style))\""
        if let validation { xml += " table:content-validation-name=\"\(validation)\"" }
        switch cell.value {
        case .text(let text):
            if text.isEmpty { return xml + "/>" }
            xml += " office:value-type=\"string\">"
            xml += paragraphs(text)
        case .number(let value):
            guard value.isFinite else {
                return xml + " office:value-type=\"string\"><text:p>\(value)</text:p></table:table-cell>"
            }
            let number = XMLEscaping.number(value)
            xml += " office:value-type=\"float\" office:value=\"\(number)\"><text:p>\(number)</text:p>"
        }
        return xml + "</table:table-cell>"
    }

    /// Cell text as ODF paragraphs: one per line, runs of spaces as `text:s`, tabs as `text:tab`
    /// (ODF collapses white space in plain text).
    static func paragraphs(_ text: String) -> String {
        var xml = ""
        let lines = XMLEscaping.legal(text).replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
        for line in lines {
            xml += "<text:p>"
            var spaces = 0
            var atStart = true
            func flushSpaces() {
                guard spaces > 0 else { return }
                // A single space between words is kept as it is; others need text:s.
                if !atStart, spaces == 1 {
                    xml += " "
                } else if !atStart {
                    xml += " <text:s text:c=\"\(spaces - 1)\"/>"
                } else {
                    xml += spaces == 1 ? "<text:s/>" : "<text:s text:c=\"\(spaces)\"/>"
                }
                spaces = 0
            }
            var run = ""
            for character in line {
                switch character {
                case " ":
                    if !run.isEmpty { xml += XMLEscaping.escape(run); run = ""; atStart = false }
                    spaces += 1
                case "\t":
                    if !run.isEmpty { xml += XMLEscaping.escape(run); run = ""; atStart = false }
                    flushSpaces()
                    xml += "<text:tab/>"
                    atStart = false
                default:
                    if spaces > 0 { flushSpaces(); atStart = false }
                    run.append(character)
                }
            }
            if !run.isEmpty { xml += XMLEscaping.escape(run); atStart = false }
            // Trailing spaces: ODF would drop them.
            if spaces > 0 { xml += spaces == 1 ? "<text:s/>" : "<text:s text:c=\"\(spaces)\"/>" }
            xml += "</text:p>"
        }
        return xml
    }

    // MARK: Styles

    static func styleName(_ style: SpreadsheetCellStyle) -> String {
        switch style {
        case .general: "Default"
        case .text: "Text"
        case .header: "Header"
        case .title: "Title"
        case .wrapped: "Wrapped"
        case .bad: "Bad"
        case .errorNote: "ErrorNote"
        }
    }

    static let namespaces = #"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" "#
        + #"xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" "#
        + #"xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" "#
        + #"xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" "#
        + #"xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" "#
        + #"xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0" "#
        + #"xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" "#
        + #"xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0" office:version="1.2""#

    private static let bold = #"fo:font-weight="bold" style:font-weight-asian="bold" style:font-weight-complex="bold""#
    private static let wrap = #"<style:table-cell-properties fo:wrap-option="wrap" style:vertical-align="top"/>"#

    /// The seven cell styles as named styles; all but Default and Title use the text number style `@`.
    private static let styles = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        + "<office:document-styles \(namespaces)><office:styles>"
        + #"<number:text-style style:name="NText"><number:text-content/></number:text-style>"#
        + #"<style:style style:name="Default" style:family="table-cell"/>"#
        + #"<style:style style:name="Text" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="NText"/>"#
        + #"<style:style style:name="Header" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="NText">"#
        + ##"<style:table-cell-properties fo:background-color="#d9e1f2" style:vertical-align="middle"/>"##
        + "<style:text-properties \(bold)/></style:style>"
        + #"<style:style style:name="Title" style:family="table-cell" style:parent-style-name="Default">"#
        + #"<style:text-properties fo:font-size="14pt" style:font-size-asian="14pt" style:font-size-complex="14pt" \#(bold)/></style:style>"#
        + #"<style:style style:name="Wrapped" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="NText">"#
        + wrap + "</style:style>"
        + #"<style:style style:name="Bad" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="NText">"#
        + ##"<style:table-cell-properties fo:background-color="#ffc7ce"/><style:text-properties fo:color="#9c0006"/></style:style>"##
        + #"<style:style style:name="ErrorNote" style:family="table-cell" style:parent-style-name="Default" style:data-style-name="NText">"#
        + wrap + ##"<style:text-properties fo:color="#9c0006"/></style:style>"##
        + "</office:styles></office:document-styles>"

    private static let manifest = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        + #"<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">"#
        + #"<manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="\#(mimeType)"/>"#
        + #"<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>"#
        + #"<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>"#
        + #"<manifest:file-entry manifest:full-path="settings.xml" manifest:media-type="text/xml"/>"#
        + "</manifest:manifest>"

    private func contentHead() -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        xml += "<office:document-content \(Self.namespaces)><office:automatic-styles>"
        for (name, width) in columnStyles.sorted(by: { $0.key < $1.key }) {
            // About 0.2 cm per character of an 11 pt font, as Excel's widths go (8.43 characters: 1.69 cm).
            let centimetres = XMLEscaping.number((width * 20).rounded() / 100)
            xml += "<style:style style:name=\"\(name)\" style:family=\"table-column\">"
            xml += "<style:table-column-properties fo:break-before=\"auto\" style:column-width=\"\(centimetres)cm\"/></style:style>"
        }
        for (name, height) in rowStyles.sorted(by: { $0.key < $1.key }) {
            xml += "<style:style style:name=\"\(name)\" style:family=\"table-row\">"
            xml += "<style:table-row-properties style:row-height=\"\(XMLEscaping.number(height))pt\" style:use-optimal-row-height=\"false\"/></style:style>"
        }
        xml += "</office:automatic-styles><office:body><office:spreadsheet>"
        if !validationElements.isEmpty {
            xml += "<table:content-validations>" + validationElements.joined() + "</table:content-validations>"
        }
        return xml
    }

    private static func validationElement(_ validation: SpreadsheetListValidation, name: String, table: String) -> String {
        let list = validation.values.map { "\"" + $0.replacingOccurrences(of: "\"", with: "") + "\"" }.joined(separator: ";")
        let quotedTable = "'" + table.replacingOccurrences(of: "'", with: "''") + "'"
        let base = "\(quotedTable).\(columnLetters(validation.column))\(validation.rows.lowerBound)"
        var xml = "<table:content-validation table:name=\"\(name)\""
        xml += " table:condition=\"\(XMLEscaping.escape("of:cell-content-is-in-list(\(list))", attribute: true))\""
        xml += " table:allow-empty-cell=\"true\" table:display-list=\"unsorted\""
        xml += " table:base-cell-address=\"\(XMLEscaping.escape(base, attribute: true))\">"
        xml += "<table:error-message table:display=\"true\" table:message-type=\"stop\""
        xml += " table:title=\"\(XMLEscaping.escape(validation.errorTitle, attribute: true))\">"
        xml += "<text:p>\(XMLEscaping.escape(validation.errorMessage))</text:p></table:error-message>"
        return xml + "</table:content-validation>"
    }

    /// Frozen rows, in the view settings LibreOffice reads.
    private func settings() -> String {
        func item(_ name: String, _ type: String, _ value: String) -> String {
            "<config:config-item config:name=\"\(name)\" config:type=\"\(type)\">\(value)</config:config-item>"
        }
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        xml += "<office:document-settings \(Self.namespaces)><office:settings>"
        xml += #"<config:config-item-set config:name="ooo:view-settings"><config:config-item-map-indexed config:name="Views">"#
        xml += "<config:config-item-map-entry>" + item("ViewId", "string", "view1")
        xml += #"<config:config-item-map-named config:name="Tables">"#
        for table in tables {
            xml += "<config:config-item-map-entry config:name=\"\(XMLEscaping.escape(table.name, attribute: true))\">"
            let frozen = table.frozenRows > 0
            xml += item("HorizontalSplitMode", "short", "0")
            xml += item("VerticalSplitMode", "short", frozen ? "2" : "0")
            xml += item("HorizontalSplitPosition", "int", "0")
            xml += item("VerticalSplitPosition", "int", String(table.frozenRows))
            xml += item("ActiveSplitRange", "short", frozen ? "2" : "0")
            xml += item("PositionLeft", "int", "0") + item("PositionRight", "int", "0")
            xml += item("PositionTop", "int", "0") + item("PositionBottom", "int", String(table.frozenRows))
            xml += "</config:config-item-map-entry>"
        }
        xml += "</config:config-item-map-named>"
        xml += item("ActiveTable", "string", XMLEscaping.escape(tables.first?.name ?? ""))
        xml += "</config:config-item-map-entry></config:config-item-map-indexed></config:config-item-set>"
        return xml + "</office:settings></office:document-settings>"
    }
}
