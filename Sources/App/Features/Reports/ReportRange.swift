import Foundation
import OneCardDomain

/// The days and the library a report covers (issue #14 item 4), as the administrator chose them. Days are
/// Taipei's wall-calendar days; a row belongs to the day it arrived on.
struct ReportRange: Sendable {
    /// Two years: a year beside the one before it. A longer range would only make the page slower.
    static let longestDays = 731
    /// With no dates chosen: the 30 days up to today.
    static let defaultDays = 30

    let from: CalendarDay
    let to: CalendarDay
    /// nil: every library (only the consortium administrator may ask for that).
    let library: Library?

    /// Every day of the range, first to last.
    var days: [CalendarDay] { (0...from.days(until: to)).map { from.adding(days: $0) } }

    /// Whether `partners` counts by day (a range of up to two months) or by month.
    var countsPartnerLinksByMonth: Bool { from.days(until: to) >= 62 }

    /// The first instant of the range and the first instant after it.
    var start: Date { Self.midnight(from) }
    var end: Date { Self.midnight(to.adding(days: 1)) }

    /// Midnight in Taipei (UTC+8 all year: Taiwan has no daylight saving time).
    static func midnight(_ day: CalendarDay) -> Date {
        Date(timeIntervalSince1970: Double(epoch.days(until: day)) * 86_400 - 8 * 3_600)
    }

    private static let epoch = CalendarDay(year: 1970, month: 1, day: 1)!

    /// The range the administrator typed: dates as the closed-day form takes them (2026-12-07 or the ROC
    /// date 115/12/07); an empty box takes the default. Throws `ReportRangeError.invalid` with each field's
    /// problem; the library is the caller's to resolve.
    static func days(from typedFrom: String, to typedTo: String, today: CalendarDay) throws -> (CalendarDay, CalendarDay) {
        var errors: [FieldError] = []
        func parse(_ typed: String, field: String) -> CalendarDay? {
            let text = typed.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { return nil }
            switch TypedDate.parse(text) {
            case .success(let day): return day
            case .failure(.noSuchDay): errors.append(FieldError(field: field, code: "\(field)_no_such_day"))
            case .failure: errors.append(FieldError(field: field, code: "\(field)_invalid"))
            }
            return nil
        }
        let typedFromDay = parse(typedFrom, field: "from")
        let typedToDay = parse(typedTo, field: "to")
        guard errors.isEmpty else { throw ReportRangeError.invalid(errors) }
        let to = typedToDay ?? (typedFromDay.map { max($0, today) } ?? today)
        let from = typedFromDay ?? to.adding(days: -(defaultDays - 1))
        if from > today { errors.append(FieldError(field: "from", code: "from_future")) }
        if to < from {
            errors.append(FieldError(field: "to", code: "to_before_from"))
        } else if from.days(until: to) >= longestDays {
            errors.append(FieldError(field: "to", code: "range_too_long"))
        }
        guard errors.isEmpty else { throw ReportRangeError.invalid(errors) }
        return (from, to)
    }
}
