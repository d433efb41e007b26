import Fluent
import Foundation
import OneCardDomain
import Vapor

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
        let library = try await Library.require(optionalCode: signature.library, on: db)
        let calendar = try await OfficialCalendarStore.calendar(libraryID: library?.id, on: db)
        let due = calendar.dueDate(after: start, workingDays: signature.days)
        if !calendar.covers(due) || !calendar.covers(start) {
            FileHandle.standardError.write(Data("warning: no official calendar for \(due.year); weekends only were skipped (import it with `onecard calendar import`)\n".utf8))
        }
        context.console.output(due.iso.consoleText())
    }
}
