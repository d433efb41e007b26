import Fluent
import Foundation
import OneCardDomain

/// Reads and writes the government office calendar and libraries' closed days, and builds the
/// domain's `WorkingDayCalendar` from them.
enum OfficialCalendarStore {
    /// Inserts or replaces the given days in one transaction: importing a year twice is harmless.
    static func replace(_ entries: [OfficialCalendarEntry], on database: any Database) async throws {
        try await database.transaction { db in
            let days = entries.map(\.day.iso)
            for chunk in stride(from: 0, to: days.count, by: 200) {
                let slice = Array(days[chunk..<min(chunk + 200, days.count)])
                try await OfficialCalendarDay.query(on: db).filter(\.$day ~~ slice).delete()
            }
            for chunk in stride(from: 0, to: entries.count, by: 200) {
                let rows = entries[chunk..<min(chunk + 200, entries.count)].map {
                    OfficialCalendarDay(day: $0.day.iso, isDayOff: $0.isDayOff, note: $0.note)
                }
                try await rows.create(on: db)
            }
        }
    }

    static func calendar(libraryID: UUID?, on database: any Database) async throws -> WorkingDayCalendar {
        let official = try await OfficialCalendarDay.query(on: database).all().compactMap { row in
            CalendarDay(iso: row.day).map { OfficialCalendarEntry(day: $0, isDayOff: row.isDayOff, note: row.note) }
        }
        var closed: Set<CalendarDay> = []
        if let libraryID {
            closed = Set(try await LibraryClosedDay.query(on: database)
                .filter(\.$library.$id == libraryID).all()
                .compactMap { CalendarDay(iso: $0.day) })
        }
        return WorkingDayCalendar(official: official, closedDays: closed)
    }
}
