import Foundation

/// Why a typed date was refused: nothing like a date was there (month 13 included), or the date was read but does
/// not exist (民國 0 年, 2 月 30 日). Forms say which, so a reader who typed 79/02/30 is not told the form is wrong.
public enum TypedDateError: Error, Sendable, Equatable {
    case unreadable
    case noSuchDay
}

/// The one reader of dates as people in Taiwan type them, for every form of the site, the CLI and the reader
/// data file (the JSON API keeps ISO only, through `CalendarDay`'s `Codable`).
///
/// Accepted, after NFKC folding (full-width digits and punctuation become ASCII) and trimming:
/// - 西元 (Gregorian): `1990-05-03`, `1990/5/3`, `1990.5.3`, `1990年5月3日`, `19900503`;
/// - 民國 (ROC): `79/05/03`, `079/05/03`, `79-5-3`, `79.5.3`, `79年5月3日`, `民國79年5月3日`, `中華民國 79/5/3`,
///   and the seven- or six-digit form of Taiwanese paper forms, `0790503`, `1150503`, `790503`.
/// A year of four digits is 西元; of one to three digits 民國 (year + 1911); after 民國 only a 民國 year is read.
/// The order is always year, month, day: day-first dates (`3/5/1990`) are refused as ambiguous. A time of day
/// after the date (`1990-05-03 00:00:00`, as spreadsheets write it) and a leading apostrophe (a spreadsheet's
/// "keep as text" mark) are ignored.
///
/// Written by hand: Foundation's date parsers read one pattern at a time and know neither 民國 years nor full-width
/// digits. ASCII text is read byte by byte, since the reader data file runs this for every row of a large file.
public enum TypedDate {
    public static func parse(_ raw: String) -> Result<CalendarDay, TypedDateError> {
        guard !isASCII(raw) else { return parseASCII(raw, roc: false) }
        var text = trimmed(raw.precomposedStringWithCompatibilityMapping)
        var roc = false
        for prefix in ["中華民國", "民國"] where text.hasPrefix(prefix) {
            text = trimmed(String(text.dropFirst(prefix.count)))
            roc = true
            break
        }
        if text.unicodeScalars.contains("年") {
            text = text.replacingOccurrences(of: "年", with: "/").replacingOccurrences(of: "月", with: "/")
                .replacingOccurrences(of: "日", with: "").replacingOccurrences(of: " ", with: "")
        }
        guard isASCII(text) else { return .failure(.unreadable) }
        return parseASCII(text, roc: roc)
    }

    /// Eight digits are 西元 (`20110503`), seven or six a 民國 year, month and day (`0990503`, `1000503`, `990503`).
    /// For a spreadsheet's number cell, whose digits are all there is.
    public static func parse(digits number: Int, count: Int) -> Result<CalendarDay, TypedDateError> {
        digitsDate(number, count: count, rocOnly: false)
    }

    private static func parseASCII(_ text: String, roc: Bool) -> Result<CalendarDay, TypedDateError> {
        var copy = text
        return copy.withUTF8 { bytes -> Result<CalendarDay, TypedDateError> in
            var start = 0
            var end = bytes.count
            while start < end, isSpace(bytes[start]) { start += 1 }
            while end > start, isSpace(bytes[end - 1]) { end -= 1 }
            if start < end, bytes[start] == UInt8(ascii: "'") { start += 1 }
            // Drop a time of day: "2011-05-03 00:00:00", "2011-05-03T00:00:00".
            for index in start..<end where bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "T") {
                for rest in (index + 1)..<end {
                    let byte = bytes[rest]
                    guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ":")
                            || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "Z") || byte == UInt8(ascii: "+")
                            || byte == UInt8(ascii: "-") else { return .failure(.unreadable) }
                }
                end = index
                break
            }
            guard start < end else { return .failure(.unreadable) }
            // Up to three numbers separated by '/', '-' or '.', with an optional trailing separator.
            var values = (0, 0, 0)
            var digits = (0, 0, 0)
            var part = 0
            var index = start
            while index < end {
                let byte = bytes[index]
                let digit = byte &- UInt8(ascii: "0")
                if digit < 10 {
                    switch part {
                    case 0: values.0 = values.0 * 10 + Int(digit); digits.0 += 1
                    case 1: values.1 = values.1 * 10 + Int(digit); digits.1 += 1
                    default: values.2 = values.2 * 10 + Int(digit); digits.2 += 1
                    }
                    if digits.0 > 8 || digits.1 > 2 || digits.2 > 2 { return .failure(.unreadable) }
                } else if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") {
                    part += 1
                    if part == 3 {
                        // Only a trailing separator may follow the day.
                        guard index == end - 1 else { return .failure(.unreadable) }
                        break
                    }
                } else {
                    return .failure(.unreadable)
                }
                index += 1
            }
            if part == 0 { return digitsDate(values.0, count: digits.0, rocOnly: roc) }
            guard part >= 2, digits.1 >= 1, digits.2 >= 1 else { return .failure(.unreadable) }
            let year: Int
            switch digits.0 {
            case 4 where !roc: year = values.0
            case 1...3:
                guard values.0 >= 1 else { return .failure(.noSuchDay) }
                year = values.0 + 1911
            default: return .failure(.unreadable)
            }
            return day(year, values.1, values.2)
        }
    }

    private static func digitsDate(_ number: Int, count: Int, rocOnly: Bool) -> Result<CalendarDay, TypedDateError> {
        let year: Int
        switch count {
        case 8 where !rocOnly: year = number / 10_000
        case 6, 7:
            guard number / 10_000 >= 1 else { return .failure(.noSuchDay) }
            year = number / 10_000 + 1911
        default: return .failure(.unreadable)
        }
        return day(year, number / 100 % 100, number % 100)
    }

    /// A month outside 1…12 or a day outside 1…31 is no date at all (unreadable); a day past the end of its month
    /// (2 月 30 日, 4 月 31 日, 2 月 29 日 of a common year) is a date that does not exist.
    private static func day(_ year: Int, _ month: Int, _ day: Int) -> Result<CalendarDay, TypedDateError> {
        guard (1...12).contains(month), (1...31).contains(day) else { return .failure(.unreadable) }
        return CalendarDay(year: year, month: month, day: day).map { .success($0) } ?? .failure(.noSuchDay)
    }

    private static func isASCII(_ text: String) -> Bool { text.utf8.allSatisfy { $0 < 0x80 } }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private static func trimmed(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines) }
}

extension CalendarDay {
    /// A date as a person typed it, by `TypedDate.parse`; nil when it is not one.
    public init?(typed: String) {
        guard case .success(let day) = TypedDate.parse(typed) else { return nil }
        self = day
    }
}

/// Where a date comes from: typed by a person (any form `TypedDate` reads) or sent by a machine (ISO `1990-05-03` only).
public enum DateEntry: Sendable, Equatable {
    case typed
    case isoOnly

    public func parse(_ text: String) -> Result<CalendarDay, TypedDateError> {
        switch self {
        case .typed: TypedDate.parse(text)
        case .isoOnly: CalendarDay(iso: text).map { .success($0) } ?? .failure(.unreadable)
        }
    }
}
