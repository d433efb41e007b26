import Fluent
import Foundation
import OneCardDomain
import Vapor

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
        guard let library = try await Library.require(optionalCode: signature.library, on: db) else {
            throw CommandInputError(description: "--library is required")
        }
        try await OfficialCalendarStore.close(day, reason: signature.reason ?? "", libraryID: try library.requireID(),
                                              by: .commandLine, at: context.application.clock.now(), on: db)
        context.console.print("\(library.code) is closed on \(day.iso).")
        if let alreadyOff = try await OfficialCalendarStore.alreadyOff(day, on: db) {
            FileHandle.standardError.write(Data((alreadyOff.commandLineWarning(day) + "\n").utf8))
        }
    }
}
