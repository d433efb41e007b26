import Foundation
import OneCardDomain

/// How the site shows an instant to people: Taipei wall-clock time, to the minute on pages
/// (`2026-12-07 09:30`) and to the second in the audit trail, where order within a minute matters.
/// Every page that shows when something happened uses this one formatter.
enum DisplayTime {
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
