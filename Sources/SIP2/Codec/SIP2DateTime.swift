import Foundation

/// SIP2 date/time fields: 18 characters `YYYYMMDDZZZZHHMMSS`. ZZZZ is four spaces for the ACS's local
/// time (what this server sends, in the zone its configuration names) or `   Z` for UTC.
///
/// The codec knows no zone of its own: "local" is whatever the caller says, so the library's zone is defined
/// once, by the app, and handed in (`SIP2Server.Configuration.timeZone`).
public enum SIP2DateTime {
    /// `date` as local time in `timeZone`, e.g. `20260315    143005`.
    public static func string(from date: Date, timeZone: TimeZone) -> String {
        let offset = timeZone.secondsFromGMT(for: date)
        let seconds = Int(date.timeIntervalSince1970.rounded(.down)) + offset
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        return pad(year, 4) + pad(month, 2) + pad(day, 2) + "    "
            + pad(secondOfDay / 3600, 2) + pad(secondOfDay / 60 % 60, 2) + pad(secondOfDay % 60, 2)
    }

    /// Reads an 18-character date/time: blank ZZZZ means local time in `timeZone`, a trailing `Z`
    /// means UTC. Nil when the text is not a valid date/time (including an all-blank field).
    public static func date(from text: some StringProtocol, timeZone: TimeZone) -> Date? {
        let characters = Array(text.utf8)
        guard characters.count == 18 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in characters[range] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
              let hour = number(12..<14), let minute = number(14..<16), let second = number(16..<18),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        let zone = characters[8..<12]
        let days = daysSinceEpoch(year: year, month: month, day: day)
        let local = days * 86_400 + hour * 3600 + minute * 60 + second
        if zone.last == UInt8(ascii: "Z") {
            return Date(timeIntervalSince1970: TimeInterval(local))
        }
        guard zone.allSatisfy({ $0 == 0x20 }) else { return nil }
        // Resolve the local wall-clock time: take the offset in force at that instant.
        let guess = Date(timeIntervalSince1970: TimeInterval(local))
        let offset = timeZone.secondsFromGMT(for: guess.addingTimeInterval(-TimeInterval(timeZone.secondsFromGMT(for: guess))))
        return Date(timeIntervalSince1970: TimeInterval(local - offset))
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    // Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar).
    static func civilDate(daysSinceEpoch: Int) -> (year: Int, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = z.floorDivided(by: 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = y.floorDivided(by: 400)
        let yearOfEra = y - era * 400
        let monthIndex = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

extension Int {
    fileprivate func floorDivided(by divisor: Int) -> Int {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
