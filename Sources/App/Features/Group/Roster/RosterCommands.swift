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
