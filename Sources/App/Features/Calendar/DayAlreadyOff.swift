import Foundation
import OneCardDomain

/// Why a day an administrator closes (休館日) was no working day already: due dates skip it anyway, so the
/// closing changes nothing and the administrator may have meant another day. It is closed all the same
/// (a library may want its own record of it), with a warning.
enum DayAlreadyOff: Equatable {
    /// A day off on the government office calendar, with its name (元旦, 春節 …).
    case holiday(note: String)
    /// A day off on the government office calendar that it gives no name, on a weekday.
    case dayOff
    /// Saturday or Sunday, not a make-up working day (補班).
    case weekend

    /// The warning's text key (`staff.calendar.warning.…`) and its values, for the page.
    func message(_ day: CalendarDay, in locale: SiteLocale) -> (key: String, values: [String: String]) {
        let shown = DisplayTime.day(day, in: locale)
        switch self {
        case .holiday(let note): return ("staff.calendar.warning.holiday", ["day": shown, "note": note])
        case .dayOff: return ("staff.calendar.warning.day_off", ["day": shown])
        case .weekend: return ("staff.calendar.warning.weekend", ["day": shown])
        }
    }

    /// The warning `onecard calendar close` writes to standard error (the command line speaks English).
    func commandLineWarning(_ day: CalendarDay) -> String {
        let what = switch self {
        case .holiday(let note): "already a holiday on the government office calendar (\(note))"
        case .dayOff: "already a day off on the government office calendar"
        case .weekend: "a weekend day"
        }
        return "warning: \(day.iso) is \(what); due dates skip it anyway. It is closed all the same (`calendar reopen` takes it back)."
    }
}
