import Vapor

/// `onecard ezproxy host add|list|remove` (issue #15 item 3).
struct EZproxyCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["host": EZproxyHostCommands()] }
    var help: String { "EZproxy servers that use OneCard as their login (CGI and ticket authentication)" }
}
