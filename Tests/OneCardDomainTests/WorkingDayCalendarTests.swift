import Foundation
import Testing
@testable import OneCardDomain

@Suite("Working-day calendar")
struct WorkingDayCalendarTests {
    func day(_ iso: String) -> CalendarDay {
        CalendarDay(iso: iso)!
    }

    /// The calendar as the app loads it: both shipped years.
    static func shippedEntries() throws -> [OfficialCalendarEntry] {
        try [2025, 2026].flatMap { try OfficialCalendarCSV.parse(try CalendarFixtures.officialCalendarData(year: $0)) }
    }

    static func shippedCalendar(closedDays: Set<CalendarDay> = []) throws -> WorkingDayCalendar {
        WorkingDayCalendar(official: try shippedEntries(), closedDays: closedDays)
    }

    @Test("A Saturday marked 補行上班 counts as a working day")
    func makeUpWorkday() throws {
        let calendar = try Self.shippedCalendar()
        #expect(calendar.isWorkingDay(day("2025-02-08")))
        #expect(!calendar.isWorkingDay(day("2025-02-09")))
        // 2025-02-07 Fri (1), 02-08 Sat 補行上班 (2), 02-09 Sun off, 02-10 Mon (3).
        #expect(calendar.dueDate(after: day("2025-02-06"), workingDays: 3) == day("2025-02-10"))
        #expect(calendar.dueDate(after: day("2025-02-06"), workingDays: 2) == day("2025-02-08"))
    }

    @Test("Official holidays on weekdays are skipped")
    func officialHolidays() throws {
        let calendar = try Self.shippedCalendar()
        #expect(!calendar.isWorkingDay(day("2025-01-01")))
        #expect(!calendar.isWorkingDay(day("2025-02-28")))
        // 2025 Lunar New Year: 01-25 to 02-02 are all off.
        #expect(calendar.dueDate(after: day("2025-01-24"), workingDays: 1) == day("2025-02-03"))
        // 2025-04-03 補假 and 04-04 兒童節及民族掃墓節.
        #expect(calendar.dueDate(after: day("2025-04-02"), workingDays: 1) == day("2025-04-07"))
    }

    @Test("Due dates across the 2026 Lunar New Year, as the 2026 file marks it")
    func lunarNewYear2026() throws {
        let calendar = try Self.shippedCalendar()
        // The file: 02-13 Fri is the last working day; 02-14 Sat and 02-15 Sun (小年夜) off,
        // 02-16 農曆除夕, 02-17–02-19 春節, 02-20 補假, 02-21/22 weekend; work resumes 02-23 Mon;
        // 02-27 Fri 補假, 02-28 Sat 和平紀念日, 03-01 Sun.
        for off in ["2026-02-14", "2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18",
                    "2026-02-19", "2026-02-20", "2026-02-21", "2026-02-22", "2026-02-27", "2026-02-28"] {
            #expect(!calendar.isWorkingDay(day(off)), "\(off)")
        }
        let lastBeforeHoliday = day("2026-02-13")
        #expect(calendar.isWorkingDay(lastBeforeHoliday))
        #expect(calendar.dueDate(after: lastBeforeHoliday, workingDays: 1) == day("2026-02-23"))
        #expect(calendar.dueDate(after: lastBeforeHoliday, workingDays: 3) == day("2026-02-25"))
        #expect(calendar.dueDate(after: lastBeforeHoliday, workingDays: 4) == day("2026-02-26"))
        #expect(calendar.dueDate(after: lastBeforeHoliday, workingDays: 5) == day("2026-03-02"))
        #expect(calendar.dueDate(after: lastBeforeHoliday, workingDays: 7) == day("2026-03-04"))
        // Submitted during the holiday (online), the clock starts when the office reopens.
        #expect(calendar.dueDate(after: day("2026-02-17"), workingDays: 1) == day("2026-02-23"))
        #expect(calendar.dueDate(after: day("2026-02-12"), workingDays: 2) == day("2026-02-23"))
    }

    @Test("Zero working days is the submission day itself, even on a holiday")
    func zeroWorkingDays() throws {
        let calendar = try Self.shippedCalendar()
        #expect(calendar.dueDate(after: day("2025-02-06"), workingDays: 0) == day("2025-02-06"))
        #expect(calendar.dueDate(after: day("2026-02-17"), workingDays: 0) == day("2026-02-17"))
    }

    @Test("The library's own closed days are skipped")
    func closedDays() throws {
        let calendar = try Self.shippedCalendar(closedDays: [day("2025-02-07")])
        #expect(!calendar.isWorkingDay(day("2025-02-07")))
        // 02-07 closed, 02-08 (1), 02-10 (2), 02-11 (3).
        #expect(calendar.dueDate(after: day("2025-02-06"), workingDays: 3) == day("2025-02-11"))
        // Closing the 補行上班 Saturday takes it out too.
        let saturdayClosed = try Self.shippedCalendar(closedDays: [day("2025-02-08")])
        #expect(saturdayClosed.dueDate(after: day("2025-02-06"), workingDays: 3) == day("2025-02-11"))
        #expect(calendar.closedDays == [day("2025-02-07")])
    }

    @Test("Years the government has not published fall back to Monday–Friday")
    func uncoveredYearFallsBackToWeekdays() throws {
        let calendar = try Self.shippedCalendar()
        #expect(calendar.coveredYears == [2025, 2026])
        #expect(calendar.covers(day("2026-12-31")))
        #expect(!calendar.covers(day("2027-01-01")))
        // 2027-01-01 is a Friday; without the 2027 calendar New Year's Day is not known to be a holiday.
        #expect(calendar.isWorkingDay(day("2027-01-01")))
        #expect(!calendar.isWorkingDay(day("2027-01-02")))
        #expect(!calendar.isWorkingDay(day("2027-01-03")))
        #expect(calendar.dueDate(after: day("2026-12-31"), workingDays: 1) == day("2027-01-01"))
        #expect(calendar.dueDate(after: day("2027-01-01"), workingDays: 1) == day("2027-01-04"))
        #expect(calendar.dueDate(after: day("2027-01-01"), workingDays: 5) == day("2027-01-08"))
        // Closed days still apply outside the official calendar.
        let closed = try Self.shippedCalendar(closedDays: [day("2027-01-04")])
        #expect(closed.dueDate(after: day("2027-01-01"), workingDays: 1) == day("2027-01-05"))
    }

    @Test("An empty calendar is plain Monday–Friday")
    func emptyCalendar() {
        let calendar = WorkingDayCalendar(official: [])
        #expect(calendar.coveredYears.isEmpty)
        // 2025-01-01 is a Wednesday.
        #expect(calendar.isWorkingDay(day("2025-01-01")))
        #expect(calendar.dueDate(after: day("2025-01-03"), workingDays: 1) == day("2025-01-06"))
        #expect(calendar.dueDate(after: day("2025-01-01"), workingDays: 10) == day("2025-01-15"))
    }

    @Test("The year-end crossing uses both files")
    func yearEnd() throws {
        let calendar = try Self.shippedCalendar()
        #expect(calendar.dueDate(after: day("2025-12-31"), workingDays: 1) == day("2026-01-02"))
        #expect(calendar.dueDate(after: day("2025-12-30"), workingDays: 2) == day("2026-01-02"))
    }

    @Test("A later official entry for the same day wins")
    func laterEntryWins() {
        let calendar = WorkingDayCalendar(official: [
            OfficialCalendarEntry(day: day("2025-10-24"), isDayOff: false),
            OfficialCalendarEntry(day: day("2025-10-24"), isDayOff: true, note: "臺灣光復暨金門古寧頭大捷紀念日"),
        ])
        #expect(!calendar.isWorkingDay(day("2025-10-24")))
    }

    @Test("Counting working days between two days")
    func countingWorkingDays() throws {
        let calendar = try Self.shippedCalendar()
        // February 2026: 02-02–06, 02-09–13 and 02-23–26.
        #expect(calendar.workingDays(from: day("2026-01-31"), to: day("2026-02-28")) == 14)
        #expect(calendar.workingDays(from: day("2024-12-31"), to: day("2025-12-31")) == 250)
        #expect(calendar.workingDays(from: day("2025-12-31"), to: day("2026-12-31")) == 245)
        #expect(calendar.workingDays(from: day("2025-02-06"), to: day("2025-02-06")) == 0)
        #expect(calendar.workingDays(from: day("2025-02-10"), to: day("2025-02-06")) == 0)
        // The submission day itself never counts.
        #expect(calendar.workingDays(from: day("2025-02-06"), to: day("2025-02-07")) == 1)
    }

    @Test("Counting up to a due date gives back the allowance, for every day of both years")
    func countingInvertsDueDate() throws {
        let calendar = try Self.shippedCalendar(closedDays: [day("2025-07-01"), day("2026-03-02")])
        var submitted = day("2025-01-01")
        while submitted <= day("2026-12-31") {
            for n in [0, 1, 2, 3, 5, 10, 15] {
                let due = calendar.dueDate(after: submitted, workingDays: n)
                #expect(calendar.workingDays(from: submitted, to: due) == n, "\(submitted) + \(n)")
                if n > 0 {
                    #expect(calendar.isWorkingDay(due), "\(submitted) + \(n)")
                    #expect(calendar.workingDays(from: submitted, to: due.adding(days: -1)) == n - 1)
                }
            }
            submitted = submitted.adding(days: 1)
        }
    }
}
