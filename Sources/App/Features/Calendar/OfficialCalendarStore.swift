import Fluent
import Foundation
import OneCardDomain
import SQLKit

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

    /// The whole official calendar and the library's closed days, read as SQLKit rows: decoding every
    /// official day (a year is 365 rows) as a Fluent model was an eighth of `onecard calendar due`'s start
    /// (issue #13 item 5), and digital card applications and group rosters read it as well.
    static func calendar(libraryID: UUID?, on database: any Database) async throws -> WorkingDayCalendar {
        let sql = database as! any SQLDatabase
        let official = try await sql.select().columns("day", "is_day_off", "note").from(OfficialCalendarDay.schema)
            .all().compactMap { row -> OfficialCalendarEntry? in
                guard let day = CalendarDay(iso: try row.decode(column: "day", as: String.self)) else { return nil }
                return OfficialCalendarEntry(day: day, isDayOff: try row.decode(column: "is_day_off", as: Bool.self),
                                             note: try row.decode(column: "note", as: String.self))
            }
        var closed: Set<CalendarDay> = []
        if let libraryID {
            closed = Set(try await sql.select().column("day").from(LibraryClosedDay.schema)
                .where("library_id", .equal, libraryID).all()
                .compactMap { CalendarDay(iso: try $0.decode(column: "day", as: String.self)) })
        }
        return WorkingDayCalendar(official: official, closedDays: closed)
    }

    // MARK: A library's own closed days (休館日)

    /// The library's closed days from `day` on, earliest first.
    static func closedDays(libraryID: UUID, from day: CalendarDay, on database: any Database) async throws -> [LibraryClosedDay] {
        try await LibraryClosedDay.query(on: database)
            .filter(\.$library.$id == libraryID)
            .filter(\.$day >= day.iso)
            .sort(\.$day)
            .all()
    }

    static let maximumReasonLength = 100

    /// Whether `day` is no working day even before the library closes on it: a day off on the official
    /// calendar (a make-up working day is a working day), or, for a year it does not cover, a weekend.
    static func alreadyOff(_ day: CalendarDay, on database: any Database) async throws -> DayAlreadyOff? {
        guard let official = try await OfficialCalendarDay.query(on: database).filter(\.$day == day.iso).first() else {
            return day.isWeekend ? .weekend : nil
        }
        guard official.isDayOff else { return nil }
        let note = official.note.trimmingCharacters(in: .whitespacesAndNewlines)
        if !note.isEmpty { return .holiday(note: note) }
        return day.isWeekend ? .weekend : .dayOff
    }

    /// Closes the library on the day an administrator typed, which must be a date, today or later, with a
    /// reason of at most `maximumReasonLength` characters. Throws `.invalid` with every problem at once.
    /// Returns the day closed.
    @discardableResult
    static func close(typed rawDay: String, reason rawReason: String, libraryID: UUID, by actor: AuditActor, at time: Date,
                      on database: any Database) async throws -> CalendarDay {
        let typed = rawDay.trimmingCharacters(in: .whitespaces)
        let reason = rawReason.trimmingCharacters(in: .whitespacesAndNewlines)
        let today = CalendarDay(date: time, timeZone: .taipei)
        var errors: [FieldError] = []
        let typedDay = TypedDate.parse(typed)
        let day = try? typedDay.get()
        if typed.isEmpty {
            errors.append(FieldError(field: "day", code: "day_empty"))
        } else if let day {
            if day < today { errors.append(FieldError(field: "day", code: "day_past")) }
        } else {
            errors.append(FieldError(field: "day", code: typedDay == .failure(.noSuchDay) ? "day_no_such_day" : "day_invalid"))
        }
        if reason.isEmpty {
            errors.append(FieldError(field: "reason", code: "reason_empty"))
        } else if reason.count > maximumReasonLength {
            errors.append(FieldError(field: "reason", code: "reason_too_long"))
        }
        guard errors.isEmpty, let day else { throw LibraryCalendarError.invalid(errors) }
        try await close(day, reason: reason, libraryID: libraryID, by: actor, at: time, on: database)
        return day
    }

    /// Closes the library on `day`, skipped from then on in its due dates; closing a day that is already
    /// closed only updates the reason. Audited with the change, in one transaction.
    static func close(_ day: CalendarDay, reason: String, libraryID: UUID, by actor: AuditActor, at time: Date,
                      on database: any Database) async throws {
        try await database.transaction { db in
            if let existing = try await LibraryClosedDay.query(on: db).filter(\.$library.$id == libraryID)
                .filter(\.$day == day.iso).first() {
                existing.reason = reason
                try await existing.update(on: db)
            } else {
                try await LibraryClosedDay(libraryID: libraryID, day: day.iso, reason: reason).create(on: db)
            }
            try await AuditTrail.record("calendar.day_closed", by: actor, subject: ("library_closed_day", day.iso),
                                        libraryID: libraryID, details: ["reason": reason], at: time, on: db)
        }
    }

    /// Opens the library again on `day` (unless the official calendar says offices are closed).
    /// Returns false when the day was not one of the library's closed days.
    @discardableResult
    static func reopen(_ day: CalendarDay, libraryID: UUID, by actor: AuditActor, at time: Date,
                       on database: any Database) async throws -> Bool {
        try await database.transaction { db in
            guard let existing = try await LibraryClosedDay.query(on: db).filter(\.$library.$id == libraryID)
                .filter(\.$day == day.iso).first() else { return false }
            try await existing.delete(on: db)
            try await AuditTrail.record("calendar.day_reopened", by: actor, subject: ("library_closed_day", day.iso),
                                        libraryID: libraryID, at: time, on: db)
            return true
        }
    }
}
