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

extension Library {
    /// The library named by a command's optional `--library CODE`; nil when it was not given.
    static func require(optionalCode code: String?, on db: any Database) async throws -> Library? {
        guard let code else { return nil }
        return try await require(code: code, on: db)
    }
}
