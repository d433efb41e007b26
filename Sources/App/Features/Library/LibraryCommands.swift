import Vapor

/// `onecard library set-mail --library CODE [--from ADDR] [--reply-to ADDR] [--branches-url URL]`.
struct LibraryCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["set-mail": LibrarySetMailCommand()] }
    var help: String { "A member library's own settings" }
}
