import Fluent
import Foundation
import OneCardDomain

extension StaffCalendarPage.Model {
    /// The library's closed days from `today` on, earliest first.
    static func query(libraryID: UUID, libraryName: String, today: CalendarDay, on database: any Database) async throws -> Self {
        let days = try await OfficialCalendarStore.closedDays(libraryID: libraryID, from: today, on: database)
        let rows = days.compactMap { row in
            CalendarDay(iso: row.day).map { Row(day: $0.iso, weekdayKey: "calendar.weekday.\($0.weekday)", reason: row.reason,
                                             reopenPath: SiteURL.staffCalendarReopen(day: .value($0.iso)).path) }
        }
        return Self(library: libraryName, rows: rows)
    }
}
