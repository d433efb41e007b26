import Foundation
import OneCardDomain
import ReaderDataFile
import Vapor

/// `onecard roster check FILE [--max-rows N]`: checks a reader data file (讀者資料檔) offline.
///
/// Prints one line of JSON on standard output (INTERFACES.md) and exits 0 when every row is valid,
/// 1 when some row is not (or a required column is missing), 2 when the file cannot be read
/// (then the JSON is `{"file":…,"error":{"code":…,"message":…}}`). It reads no database.
struct RosterCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["check": RosterCheckCommand()] }
    var help: String { "Reader data files (讀者資料檔) of group applications" }
}

struct RosterCommandError: Error, CustomStringConvertible {
    let description: String
}

struct RosterCheckCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "A reader data file: xlsx, ods or csv (UTF-8 or Big5)")
        var file: String
        @Option(name: "max-rows", help: "Refuse files with more data rows than this (default 100000)")
        var maximumRows: Int?
    }

    var help: String { "Checks a reader data file and prints the errors as JSON; exit 0 valid, 1 invalid rows, 2 unreadable" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let taipei = TimeZone(identifier: "Asia/Taipei") ?? TimeZone(secondsFromGMT: 8 * 3600)!
        var checker = ReaderDataFileChecker(today: CalendarDay(date: Date(), timeZone: taipei))
        if let maximumRows = signature.maximumRows {
            guard maximumRows > 0 else { throw RosterCommandError(description: "--max-rows must be positive") }
            checker.maximumRows = maximumRows
        }
        let outcome = RosterCheck.run(path: signature.file, checker: checker)
        FileHandle.standardOutput.write(Data((outcome.json + "\n").utf8))
        if outcome.exitCode != 0 {
            // Vapor only knows success and failure (1); the contract needs 2 for unreadable files.
            exit(outcome.exitCode)
        }
    }
}
