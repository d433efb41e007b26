import Foundation

/// Writes one table as RFC 4180 CSV: UTF-8 with a byte order mark (so Excel reads Chinese as such), CRLF
/// line ends, fields quoted when they hold a comma, quote or line break. CSV has no sheets, so a second
/// `beginSheet` is refused (`.finished`).
///
/// A text cell that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return) gets a leading apostrophe, as OWASP advises against CSV injection; number cells are
/// written as numbers.
public final class CSVWriter: SpreadsheetWriter {
    private var text = "\u{FEFF}"
    private var began = false
    private var done = false
    private var cursor = SheetRowCursor()

    public init() {}

    public func beginSheet(_ sheet: SpreadsheetSheet) throws(SpreadsheetWriterError) {
        guard !done, !began else { throw .finished }
        began = true
    }

    public func appendRow(_ cells: [SpreadsheetCell], at row: Int?) throws(SpreadsheetWriterError) {
        guard !done else { throw .finished }
        guard began else { throw .noSheet }
        let previous = cursor.lastRow
        let number = try cursor.next(row)
        // Rows skipped (a row number further down) are empty lines.
        text += String(repeating: "\r\n", count: number - previous - 1)
        let ordered = try SheetRowCursor.ordered(cells)
        var fields: [String] = []
        for cell in ordered {
            while fields.count < cell.column { fields.append("") }
            switch cell.value {
            case .number(let value): fields.append(XMLEscaping.number(value))
            case .text(let value): fields.append(Self.field(value))
            }
        }
        text += fields.joined(separator: ",") + "\r\n"
    }

    public func finish() throws(SpreadsheetWriterError) -> Data {
        guard !done else { throw .finished }
        guard began else { throw .noSheet }
        done = true
        return Data(text.utf8)
    }

    static func field(_ value: String) -> String {
        var value = value
        if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
