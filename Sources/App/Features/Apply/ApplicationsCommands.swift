import Vapor

/// `onecard applications expire`: erases online applications not completed at a desk in time
/// (`onecard serve` also does this every hour).
struct ApplicationsCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["expire": ApplicationsExpireCommand()] }
    var help: String { "Online card applications" }
}
