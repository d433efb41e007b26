import Fluent
import Foundation

/// One day of the government office calendar (政府行政機關辦公日曆表).
final class OfficialCalendarDay: Model, @unchecked Sendable {
    static let schema = "official_calendar_days"

    @ID(key: .id) var id: UUID?
    /// ISO `YYYY-MM-DD`: sorts and compares the same on SQLite and PostgreSQL.
    @Field(key: "day") var day: String
    @Field(key: "is_day_off") var isDayOff: Bool
    @Field(key: "note") var note: String

    init() {}

    init(day: String, isDayOff: Bool, note: String) {
        self.day = day
        self.isDayOff = isDayOff
        self.note = note
    }
}
