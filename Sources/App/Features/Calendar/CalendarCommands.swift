import Fluent
import Foundation
import OneCardDomain
import Vapor

/// `onecard calendar import FILE.csv`, `calendar due DATE N [--library CODE]`,
/// `calendar close DATE --library CODE [--reason TEXT]`, `calendar reopen DATE --library CODE`.
struct CalendarCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] {
        ["import": CalendarImportCommand(), "due": CalendarDueCommand(),
         "close": CalendarCloseCommand(), "reopen": CalendarReopenCommand()]
    }
    var help: String { "The government office calendar and libraries' closed days" }
}

struct CommandInputError: Error, CustomStringConvertible {
    let description: String
}

private func library(code: String?, on db: any Database) async throws -> Library? {
    guard let code else { return nil }
    return try await Library.require(code: code, on: db)
}

struct CalendarImportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "An official calendar CSV (西元日期,星期,是否放假,備註)")
        var file: String
    }

    var help: String { "Imports an official government office calendar CSV" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let data = FileManager.default.contents(atPath: signature.file) else {
            throw CommandInputError(description: "cannot read \(signature.file)")
        }
        let entries: [OfficialCalendarEntry]
        do {
            entries = try OfficialCalendarCSV.parse(data)
        } catch {
            throw CommandInputError(description: "\(signature.file): \(error)")
        }
        guard let first = entries.map(\.day).min(), let last = entries.map(\.day).max() else {
            throw CommandInputError(description: "\(signature.file) holds no days")
        }
        try await OfficialCalendarStore.replace(entries, on: context.application.db)
        let daysOff = entries.filter(\.isDayOff).count
        context.console.print("Imported \(entries.count) days (\(first.iso) to \(last.iso)), \(daysOff) of them days off.")
    }
}

struct CalendarDueCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "date", help: "The day of submission, YYYY-MM-DD")
        var date: String
        @Argument(name: "days", help: "Number of working days")
        var days: Int
        @Option(name: "library", help: "Also skip this library's closed days")
        var library: String?
    }

    var help: String { "Prints the date N working days after DATE" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let start = CalendarDay(iso: signature.date) else {
            throw CommandInputError(description: "'\(signature.date)' is not a date in the form YYYY-MM-DD")
        }
        guard signature.days >= 0 else { throw CommandInputError(description: "the number of working days cannot be negative") }
        let db = context.application.db
        let library = try await library(code: signature.library, on: db)
        let calendar = try await OfficialCalendarStore.calendar(libraryID: library?.id, on: db)
        let due = calendar.dueDate(after: start, workingDays: signature.days)
        if !calendar.covers(due) || !calendar.covers(start) {
            FileHandle.standardError.write(Data("warning: no official calendar for \(due.year); weekends only were skipped (import it with `onecard calendar import`)\n".utf8))
        }
        context.console.output(due.iso.consoleText())
    }
}

struct CalendarCloseCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "date", help: "YYYY-MM-DD")
        var date: String
        @Option(name: "library", help: "Library code")
        var library: String?
        @Option(name: "reason", help: "Why the library is closed")
        var reason: String?
    }

    var help: String { "Adds a closed day (休館日) to a library's calendar" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let day = CalendarDay(iso: signature.date) else {
            throw CommandInputError(description: "'\(signature.date)' is not a date in the form YYYY-MM-DD")
        }
        let db = context.application.db
        guard let library = try await library(code: signature.library, on: db) else {
            throw CommandInputError(description: "--library is required")
        }
        try await OfficialCalendarStore.close(day, reason: signature.reason ?? "", libraryID: try library.requireID(),
                                              by: .commandLine, at: context.application.clock.now(), on: db)
        context.console.print("\(library.code) is closed on \(day.iso).")
    }
}

struct CalendarReopenCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "date", help: "YYYY-MM-DD")
        var date: String
        @Option(name: "library", help: "Library code")
        var library: String?
    }

    var help: String { "Removes a closed day from a library's calendar" }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let day = CalendarDay(iso: signature.date) else {
            throw CommandInputError(description: "'\(signature.date)' is not a date in the form YYYY-MM-DD")
        }
        let db = context.application.db
        guard let library = try await library(code: signature.library, on: db) else {
            throw CommandInputError(description: "--library is required")
        }
        try await OfficialCalendarStore.reopen(day, libraryID: try library.requireID(), by: .commandLine,
                                               at: context.application.clock.now(), on: db)
        context.console.print("\(library.code) is open on \(day.iso) unless the official calendar says otherwise.")
    }
}
