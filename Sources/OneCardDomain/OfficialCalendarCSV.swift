import Foundation

/// One row of the government office calendar (政府行政機關辦公日曆表).
public struct OfficialCalendarEntry: Sendable, Hashable, Codable {
    public let day: CalendarDay
    /// 是否放假 = 2: offices are closed. 0 means a working day, including Saturdays marked 補行上班.
    public let isDayOff: Bool
    /// 備註, e.g. 春節 or 補行上班; empty for ordinary days.
    public let note: String

    public init(day: CalendarDay, isDayOff: Bool, note: String = "") {
        self.day = day
        self.isDayOff = isDayOff
        self.note = note
    }
}

/// Why an office calendar file was refused, and on which line as a text editor numbers it (from 1).
public struct OfficialCalendarCSVError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The file is not UTF-8; the government publishes UTF-8, so anything else is the wrong file or a re-save.
        case notUTF8
        /// The first non-blank line lacks the 西元日期 and 是否放假 columns.
        case missingHeader
        /// A quoted field is never closed; `line` is where it opens.
        case unterminatedQuote
        /// The row has a different number of fields than the header.
        case fieldCount(expected: Int, actual: Int)
        /// 西元日期 is not a real date written as YYYYMMDD.
        case badDate(String)
        /// 是否放假 is neither 0 nor 2.
        case badFlag(String)
        /// 星期 is not the weekday of the row's date.
        case badWeekday(String)
        /// The date already appeared on `firstLine`.
        case duplicateDate(CalendarDay, firstLine: Int)
    }

    public let line: Int
    public let reason: Reason

    public init(line: Int, reason: Reason) {
        self.line = line
        self.reason = reason
    }

    public var description: String {
        let explanation = switch reason {
        case .notUTF8: "the file is not UTF-8"
        case .missingHeader: "missing header 西元日期,星期,是否放假,備註"
        case .unterminatedQuote: "a quoted field is not closed"
        case .fieldCount(let expected, let actual): "expected \(expected) fields, found \(actual)"
        case .badDate(let text): "西元日期 \"\(text)\" is not a date written as YYYYMMDD"
        case .badFlag(let text): "是否放假 \"\(text)\" must be 0 or 2"
        case .badWeekday(let text): "星期 \"\(text)\" is not the weekday of the date"
        case .duplicateDate(let day, let firstLine): "\(day.iso) already appears on line \(firstLine)"
        }
        return "Office calendar line \(line): \(explanation)"
    }
}

/// Reads the office calendar CSV that the Directorate-General of Personnel Administration publishes each year
/// on the government open data platform.
public enum OfficialCalendarCSV {
    static let dateColumn = "西元日期"
    static let weekdayColumn = "星期"
    static let dayOffColumn = "是否放假"
    static let noteColumn = "備註"

    /// Parses a whole file. Accepts a UTF-8 byte order mark, CRLF, LF or CR line endings, quoted fields,
    /// reordered columns and blank lines; refuses anything that would make a due date silently wrong.
    public static func parse(_ data: Data) throws(OfficialCalendarCSVError) -> [OfficialCalendarEntry] {
        let text = try decodeUTF8(data)
        let records = try CSVRecords.read(text)

        guard let headerIndex = records.firstIndex(where: { !$0.isBlank }) else {
            throw OfficialCalendarCSVError(line: 1, reason: .missingHeader)
        }
        let header = records[headerIndex]
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        guard let dateIndex = names.firstIndex(of: dateColumn),
              let dayOffIndex = names.firstIndex(of: dayOffColumn) else {
            throw OfficialCalendarCSVError(line: header.line, reason: .missingHeader)
        }
        let weekdayIndex = names.firstIndex(of: weekdayColumn)
        let noteIndex = names.firstIndex(of: noteColumn)

        var entries: [OfficialCalendarEntry] = []
        entries.reserveCapacity(366)
        var lineOfDay: [CalendarDay: Int] = [:]
        for record in records[(headerIndex + 1)...] where !record.isBlank {
            guard record.fields.count == names.count else {
                throw OfficialCalendarCSVError(
                    line: record.line, reason: .fieldCount(expected: names.count, actual: record.fields.count))
            }
            let field = { (index: Int) in record.fields[index].trimmingCharacters(in: .whitespaces) }

            let dateText = field(dateIndex)
            guard let day = CalendarDay(compact: dateText) else {
                throw OfficialCalendarCSVError(line: record.line, reason: .badDate(dateText))
            }
            let flag = field(dayOffIndex)
            let isDayOff: Bool
            switch flag {
            case "0": isDayOff = false
            case "2": isDayOff = true
            default: throw OfficialCalendarCSVError(line: record.line, reason: .badFlag(flag))
            }
            if let weekdayIndex {
                // A weekday that disagrees with the date means shifted rows or a hand-edited file.
                let weekdayText = field(weekdayIndex)
                if !weekdayText.isEmpty, weekdayNumber(weekdayText) != day.weekday {
                    throw OfficialCalendarCSVError(line: record.line, reason: .badWeekday(weekdayText))
                }
            }
            if let firstLine = lineOfDay[day] {
                throw OfficialCalendarCSVError(line: record.line, reason: .duplicateDate(day, firstLine: firstLine))
            }
            lineOfDay[day] = record.line
            entries.append(OfficialCalendarEntry(day: day, isDayOff: isDayOff, note: noteIndex.map(field) ?? ""))
        }
        return entries
    }

    /// ISO weekday of 一 … 日 (also 天, and with a 星期, 週 or 周 prefix).
    static func weekdayNumber(_ text: String) -> Int? {
        var name = Substring(text)
        for prefix in ["星期", "週", "周"] where name.hasPrefix(prefix) {
            name = name.dropFirst(prefix.count)
            break
        }
        switch name {
        case "一": return 1
        case "二": return 2
        case "三": return 3
        case "四": return 4
        case "五": return 5
        case "六": return 6
        case "日", "天": return 7
        default: return nil
        }
    }

    /// Decodes strictly, reporting the line of the first byte sequence that is not UTF-8.
    private static func decodeUTF8(_ data: Data) throws(OfficialCalendarCSVError) -> String {
        let bytes = [UInt8](data)
        var line = 1
        var lineStart = 0
        // Checking line by line keeps a bad byte from swallowing the newline after it and skewing the count.
        while lineStart <= bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            var decoder = UTF8()
            var iterator = bytes[lineStart..<lineEnd].makeIterator()
            decoding: while true {
                switch decoder.decode(&iterator) {
                case .scalarValue: continue
                case .emptyInput: break decoding
                case .error: throw OfficialCalendarCSVError(line: line, reason: .notUTF8)
                }
            }
            line += 1
            lineStart = lineEnd + 1
        }
        var text = String(decoding: bytes, as: UTF8.self)
        if text.unicodeScalars.first == "\u{FEFF}" {
            text.unicodeScalars.removeFirst()
        }
        return text
    }
}

/// RFC 4180 records, each tagged with the line it starts on.
struct CSVRecords {
    struct Record {
        var line: Int
        var fields: [String]

        /// Empty lines and rows of bare commas, as spreadsheets leave at the end of a file.
        var isBlank: Bool { fields.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }
    }

    static func read(_ text: String) throws(OfficialCalendarCSVError) -> [Record] {
        let scalars = Array(text.unicodeScalars)
        var records: [Record] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var line = 1
        var recordLine = 1
        var quoteLine = 1
        var inQuotes = false
        var index = 0

        func endField() {
            fields.append(String(field))
            field = String.UnicodeScalarView()
        }

        while index < scalars.count {
            let scalar = scalars[index]
            let next = index + 1 < scalars.count ? scalars[index + 1] : nil
            if inQuotes {
                switch scalar {
                case "\"" where next == "\"":
                    field.append("\"")
                    index += 2
                    continue
                case "\"":
                    inQuotes = false
                // Line breaks inside a field become "\n" whatever the file uses, so notes compare equal.
                case "\r" where next == "\n":
                    field.append("\n")
                    line += 1
                    index += 2
                    continue
                case "\r", "\n":
                    field.append("\n")
                    line += 1
                default:
                    field.append(scalar)
                }
                index += 1
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty:
                inQuotes = true
                quoteLine = line
            case ",":
                endField()
            case "\r", "\n":
                endField()
                records.append(Record(line: recordLine, fields: fields))
                fields = []
                if scalar == "\r", next == "\n" { index += 1 }
                line += 1
                recordLine = line
            default:
                field.append(scalar)
            }
            index += 1
        }
        if inQuotes {
            throw OfficialCalendarCSVError(line: quoteLine, reason: .unterminatedQuote)
        }
        if !fields.isEmpty || !field.isEmpty {
            endField()
            records.append(Record(line: recordLine, fields: fields))
        }
        return records
    }
}
