import Foundation

/// Writes comma-separated values (RFC 4180) through the same interface as `XLSXWriter`, so a download can be
/// offered in either format from one piece of code.
///
/// - UTF-8 with a byte order mark, which is how Excel recognises UTF-8 (without it, Chinese turns to mojibake
///   in Excel on Windows); CRLF line ends; a field with a comma, quote or line break is quoted.
/// - A text cell that a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, tab or carriage return
///   first) is written with a leading apostrophe (OWASP's advice on CSV injection): exported data can hold
///   what people typed.
/// - CSV has one table: styles, widths and sheet names are dropped, and each further sheet continues below.
public final class CSVWriter: SpreadsheetWriter {
    private var bytes: [UInt8] = [0xEF, 0xBB, 0xBF]
    private var cursor = SheetRowCursor()
    private var begun = false
    private var finished = false

    public init() {}

    public func beginSheet(_ sheet: SpreadsheetSheet) throws(SpreadsheetWriterError) {
        guard !finished else { throw .finished }
        begun = true
    }

    public func appendRow(_ cells: [SpreadsheetCell], at row: Int?) throws(SpreadsheetWriterError) {
        guard !finished else { throw .finished }
        guard begun else { throw .noSheet }
        let previous = cursor.lastRow
        let number = try cursor.next(row)
        for _ in 0..<(number - previous - 1) { bytes += [0x0D, 0x0A] }  // rows skipped are empty lines
        var fields: [String] = []
        for cell in try SheetRowCursor.ordered(cells) {
            while fields.count < cell.column { fields.append("") }
            switch cell.value {
            case .text(let text): fields.append(Self.field(text))
            case .number(let number): fields.append(XMLEscaping.number(number))
            }
        }
        bytes += fields.joined(separator: ",").utf8
        bytes += [0x0D, 0x0A]
    }

    public func finish() throws(SpreadsheetWriterError) -> Data {
        guard !finished else { throw .finished }
        guard begun else { throw .noSheet }
        finished = true
        return Data(bytes)
    }

    /// One field: guarded against formulas, quoted when it must be.
    static func field(_ text: String) -> String {
        var text = text
        if let first = text.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
