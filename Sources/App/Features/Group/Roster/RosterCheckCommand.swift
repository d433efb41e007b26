import Foundation
import OneCardDomain
import ReaderDataFile
import Vapor

struct RosterCheckCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "A reader data file: xlsx, ods or csv (UTF-8 or Big5)")
        var file: String
        @Option(name: "max-rows", help: "Refuse files with more data rows than this (default 100000)")
        var maximumRows: Int?
    }

    var help: String { "Checks a reader data file and prints the errors as JSON; exit 0 valid, 1 invalid rows, 2 unreadable" }

    func run(using context: CommandContext, signature: Signature) async throws {
        var checker = ReaderDataFileChecker(today: CalendarDay(date: Date(), timeZone: .taipei))
        if let maximumRows = signature.maximumRows {
            guard maximumRows > 0 else { throw RosterCommandError(description: "--max-rows must be positive") }
            checker.maximumRows = maximumRows
        }
        let localizer = context.application.localizer
        let outcome = RosterCheck.run(path: signature.file, checker: checker) { localizer.text($0, .zhTW) }
        FileHandle.standardOutput.write(Data((outcome.json + "\n").utf8))
        if outcome.exitCode != 0 {
            // Vapor only knows success and failure (1); the contract needs 2 for unreadable files.
            exit(outcome.exitCode)
        }
    }
}
