import Vapor

struct EZproxyHostCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] {
        ["add": EZproxyHostAddCommand(), "list": EZproxyHostListCommand(), "remove": EZproxyHostRemoveCommand()]
    }
    var help: String { "Adds, lists and removes EZproxy hosts and their shared secrets" }
}
