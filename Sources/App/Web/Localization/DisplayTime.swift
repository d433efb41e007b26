import Foundation
import OneCardDomain

/// How the site shows days and instants to people, in the page's (or the reader's) language. Every page and
/// email that shows a date goes through here.
///
/// - zh-TW speaks 民國 years, as Taiwanese forms and the seed's documents do: `民國115年12月7日`, and
///   `民國115年12月7日 09:30` for an instant. Days before 1912 are `民國前N年…`.
/// - English, the JSON API and the CLI keep ISO: `2026-12-07`, `2026-12-07 09:30`.
/// Instants are shown in Taipei wall-clock time, to the minute on pages and to the second in the audit trail,
/// where order within a minute matters.
enum DisplayTime {
    /// A day: `民國115年12月7日` in zh-TW, `2026-12-07` in English.
    static func day(_ day: CalendarDay, in locale: SiteLocale) -> String {
        switch locale {
        case .en: return day.iso
        case .zhTW:
            let year = day.year > 1911 ? "民國\(day.year - 1911)年" : "民國前\(1912 - day.year)年"
            return "\(year)\(day.month)月\(day.day)日"
        }
    }

    /// A day kept as ISO text (as the database keeps days), shown in `locale`; text that is not an ISO day is kept.
    static func day(iso text: String, in locale: SiteLocale) -> String {
        CalendarDay(iso: text).map { day($0, in: locale) } ?? text
    }

    /// An instant to the minute in `locale`: `民國115年12月7日 09:30` or `2026-12-07 09:30`.
    static func minute(_ date: Date, in locale: SiteLocale) -> String {
        "\(day(CalendarDay(date: date, timeZone: .taipei), in: locale)) \(format(date, "HH:mm"))"
    }

    /// An instant to the minute in ISO, for staff tables and the CLI: `2026-12-07 09:30`.
    static func minute(_ date: Date) -> String {
        format(date, "yyyy-MM-dd HH:mm")
    }

    static func second(_ date: Date) -> String {
        format(date, "yyyy-MM-dd HH:mm:ss")
    }

    private static func format(_ date: Date, _ pattern: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = .taipei
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }
}
