import Foundation

/// Which days the library's back office works, for due dates on applications and requests.
///
/// The government office calendar decides first, then the library's own closed days (inventory,
/// typhoon closures) are taken out. Years the government has not published yet fall back to
/// Monday–Friday, so due dates in them are provisional until that year's calendar is loaded.
public struct WorkingDayCalendar: Sendable {
    /// Official day-off flags by day.
    private let officialDayOff: [CalendarDay: Bool]
    /// Days the library itself is closed, on top of the official calendar.
    public let closedDays: Set<CalendarDay>
    /// Years with at least one official entry.
    public let coveredYears: Set<Int>

    /// When `official` lists a day more than once, the later entry wins, so a correction can be appended.
    public init(official: [OfficialCalendarEntry], closedDays: Set<CalendarDay> = []) {
        var officialDayOff: [CalendarDay: Bool] = [:]
        officialDayOff.reserveCapacity(official.count)
        for entry in official {
            officialDayOff[entry.day] = entry.isDayOff
        }
        self.officialDayOff = officialDayOff
        self.closedDays = closedDays
        self.coveredYears = Set(official.map(\.day.year))
    }

    /// Whether the official calendar has an entry for `day`; when it does not, the weekday fallback applies.
    public func covers(_ day: CalendarDay) -> Bool {
        officialDayOff[day] != nil
    }

    /// Open for back-office work: officially a working day (or a weekday, outside the official calendar)
    /// and not one of the library's closed days.
    public func isWorkingDay(_ day: CalendarDay) -> Bool {
        if closedDays.contains(day) { return false }
        if let isDayOff = officialDayOff[day] { return !isDayOff }
        return !day.isWeekend
    }

    /// The `n`-th working day strictly after the submission day; with `n == 0`, the submission day itself.
    public func dueDate(after submitted: CalendarDay, workingDays n: Int) -> CalendarDay {
        precondition(n >= 0, "A due date needs a non-negative number of working days, got \(n)")
        var day = submitted
        var remaining = n
        while remaining > 0 {
            day = day.adding(days: 1)
            if isWorkingDay(day) { remaining -= 1 }
        }
        return day
    }

    /// Working days after `from` up to and including `to`; 0 when `to` is not after `from`.
    /// `workingDays(from: s, to: dueDate(after: s, workingDays: n)) == n`, so a request is overdue once this exceeds its allowance.
    public func workingDays(from: CalendarDay, to: CalendarDay) -> Int {
        var count = 0
        var day = from.adding(days: 1)
        while day <= to {
            if isWorkingDay(day) { count += 1 }
            day = day.adding(days: 1)
        }
        return count
    }
}
