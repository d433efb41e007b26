import Fluent
import Foundation
import OneCardDomain
import Vapor

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
        guard let library = try await Library.require(optionalCode: signature.library, on: db) else {
            throw CommandInputError(description: "--library is required")
        }
        try await OfficialCalendarStore.reopen(day, libraryID: try library.requireID(), by: .commandLine,
                                               at: context.application.clock.now(), on: db)
        context.console.print("\(library.code) is open on \(day.iso) unless the official calendar says otherwise.")
    }
}
