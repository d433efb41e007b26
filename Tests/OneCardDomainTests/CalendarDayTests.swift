import Foundation
import Testing
@testable import OneCardDomain

@Suite("Calendar days")
struct CalendarDayTests {
    func day(_ iso: String) -> CalendarDay {
        CalendarDay(iso: iso)!
    }

    @Test("ISO and compact forms parse and print")
    func parsing() {
        let feb6 = CalendarDay(year: 2025, month: 2, day: 6)
        #expect(CalendarDay(iso: "2025-02-06") == feb6)
        #expect(CalendarDay(compact: "20250206") == feb6)
        #expect(feb6?.iso == "2025-02-06")
        #expect(feb6?.compact == "20250206")
        #expect(feb6?.description == "2025-02-06")
        #expect(CalendarDay(iso: "0001-01-01")?.iso == "0001-01-01")
    }

    @Test("Dates that do not exist are refused", arguments: [
        "2025-02-29", "2025-13-01", "2025-00-10", "2025-04-31", "2025-01-00", "0000-01-01",
        "2025-2-6", "2025/02/06", "2025-02-06 ", "2025-02-0x", "", "２０２５-０２-０６",
    ])
    func invalidISO(_ text: String) {
        #expect(CalendarDay(iso: text) == nil)
    }

    @Test("Compact dates that do not exist are refused", arguments: ["20250229", "2025026", "202502061", "2025-2-6", "20251301"])
    func invalidCompact(_ text: String) {
        #expect(CalendarDay(compact: text) == nil)
    }

    @Test("Leap years follow the Gregorian rules")
    func leapYears() {
        #expect(CalendarDay(iso: "2024-02-29") != nil)
        #expect(CalendarDay(iso: "2000-02-29") != nil)
        #expect(CalendarDay(iso: "1900-02-29") == nil)
        #expect(CalendarDay(iso: "2100-02-29") == nil)
    }

    @Test("Weekdays of known dates")
    func weekdays() {
        #expect(day("1970-01-01").weekday == 4)
        #expect(day("2025-02-08").weekday == 6)
        #expect(day("2025-02-09").weekday == 7)
        #expect(day("2025-02-10").weekday == 1)
        #expect(day("2000-01-01").weekday == 6)
        #expect(day("1900-01-01").weekday == 1)
        // The proleptic Gregorian calendar starts on a Monday.
        #expect(day("0001-01-01").weekday == 1)
        #expect(day("2025-02-08").isWeekend)
        #expect(!day("2025-02-07").isWeekend)
    }

    @Test("Adding days crosses months, years and leap days")
    func adding() {
        #expect(day("2024-02-28").adding(days: 1) == day("2024-02-29"))
        #expect(day("2025-02-28").adding(days: 1) == day("2025-03-01"))
        #expect(day("2025-12-31").adding(days: 1) == day("2026-01-01"))
        #expect(day("2026-01-01").adding(days: -1) == day("2025-12-31"))
        #expect(day("1970-01-01").adding(days: -1) == day("1969-12-31"))
        #expect(day("2025-02-06").adding(days: 0) == day("2025-02-06"))
        #expect(day("2000-01-01").adding(days: 366) == day("2001-01-01"))
        #expect(day("2025-01-01").days(until: day("2026-01-01")) == 365)
        #expect(day("2026-01-01").days(until: day("2025-01-01")) == -365)
    }

    @Test("Day arithmetic agrees with Foundation's Gregorian calendar")
    func agreesWithFoundation() {
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = TimeZone(identifier: "UTC")!
        let start = day("1899-12-25")
        let startDate = gregorian.date(from: DateComponents(year: 1899, month: 12, day: 25))!
        var generator = SplitMix64(seed: 1)
        for _ in 0..<3_000 {
            let offset = Int.random(in: 0...(250 * 366), using: &generator)
            let ours = start.adding(days: offset)
            let theirs = gregorian.dateComponents(
                [.year, .month, .day, .weekday], from: gregorian.date(byAdding: .day, value: offset, to: startDate)!)
            #expect(ours.year == theirs.year && ours.month == theirs.month && ours.day == theirs.day, "\(offset)")
            // Foundation counts 1 = Sunday … 7 = Saturday.
            #expect(ours.weekday == (theirs.weekday! + 5) % 7 + 1, "\(ours)")
            #expect(start.days(until: ours) == offset)
        }
    }

    @Test("Ordering is chronological")
    func ordering() {
        #expect(day("2025-02-06") < day("2025-02-07"))
        #expect(day("2025-02-28") < day("2025-03-01"))
        #expect(day("2024-12-31") < day("2025-01-01"))
        #expect(!(day("2025-01-01") < day("2025-01-01")))
        #expect([day("2026-01-01"), day("2025-12-31"), day("2025-01-02")].sorted().map(\.iso)
            == ["2025-01-02", "2025-12-31", "2026-01-01"])
    }

    @Test("The day of an instant depends on the time zone the caller passes")
    func fromDate() throws {
        // 2025-02-05 16:30 UTC is 2025-02-06 00:30 in Taipei.
        let instant = Date(timeIntervalSince1970: 1_738_773_000)
        let taipei = try #require(TimeZone(identifier: "Asia/Taipei"))
        #expect(CalendarDay(date: instant, timeZone: taipei) == day("2025-02-06"))
        #expect(CalendarDay(date: instant, timeZone: TimeZone(identifier: "UTC")!) == day("2025-02-05"))
        #expect(CalendarDay(date: Date(timeIntervalSince1970: -1), timeZone: TimeZone(identifier: "UTC")!) == day("1969-12-31"))
    }

    @Test("Codable as an ISO string")
    func codable() throws {
        let data = try JSONEncoder().encode([day("2025-02-08")])
        #expect(String(decoding: data, as: UTF8.self) == #"["2025-02-08"]"#)
        #expect(try JSONDecoder().decode([CalendarDay].self, from: data) == [day("2025-02-08")])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([CalendarDay].self, from: Data(#"["2025-02-29"]"#.utf8))
        }
    }
}
