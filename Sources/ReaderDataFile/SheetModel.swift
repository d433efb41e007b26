import Foundation
import OneCardDomain

/// A cell's value as the spreadsheet stores it.
enum CellValue: Equatable, Sendable {
    case text(String)
    case number(Double)
    /// A real date cell (xlsx serial number with a date format, ods `office:date-value`).
    case date(CalendarDay)
    case boolean(Bool)

    /// How the value reads as text; numbers without a fraction have no decimal point.
    var text: String {
        switch self {
        case .text(let text): text
        case .number(let number): Self.format(number)
        case .date(let day): day.iso
        case .boolean(let value): value ? "TRUE" : "FALSE"
        }
    }

    var isBlank: Bool {
        if case .text(let text) = self { return text.isBlankCell }
        return false
    }

    static func format(_ number: Double) -> String {
        if number.isFinite, number == number.rounded(), abs(number) < 1e15 {
            return String(Int64(number))
        }
        return String(number)
    }
}

struct SheetCell: Sendable {
    /// 0-based column index (A = 0).
    var column: Int
    var value: CellValue
}

/// A row that has at least one stored value; readers skip rows with none.
struct SheetRow: Sendable {
    /// 1-based, as the spreadsheet program shows it.
    var number: Int
    /// Ordered by column.
    var cells: [SheetCell]
}

enum RowDisposition {
    case more
    /// This sheet is not the data sheet: stop reading it.
    case skipSheet
}

/// Receives sheets and rows from a format reader.
protocol RowConsumer {
    mutating func beginSheet(named name: String)
    mutating func consume(_ row: SheetRow) throws -> RowDisposition
    /// Returns true when the data sheet has been read, so no further sheet is needed.
    mutating func endSheet() throws -> Bool
}

/// Thrown inside readers to stop inflating an entry early; never escapes the reader.
struct StopReading: Error {}

/// Column letters for messages: 0 → A, 26 → AA.
func columnLetters(_ index: Int) -> String {
    var index = index + 1
    var letters: [Character] = []
    while index > 0 {
        let remainder = (index - 1) % 26
        letters.append(Character(Unicode.Scalar(UInt8(65 + remainder))))
        index = (index - 1) / 26
    }
    return String(letters.reversed())
}

/// Sheets whose name says they hold instructions or examples are looked at last, so a sample
/// header row on an instructions sheet is not taken for the data.
func isInstructionsSheetName(_ name: String) -> Bool {
    let folded = name.precomposedStringWithCompatibilityMapping.lowercased()
    return ["說明", "范例", "範例", "instruction", "readme", "read me", "example", "sample", "help"].contains { folded.contains($0) }
}
