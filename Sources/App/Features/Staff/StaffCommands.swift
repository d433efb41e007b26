import Fluent
import OneCardDomain
import Vapor

/// `onecard staff create --library CODE --role ROLE --email E`
struct StaffCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["create": StaffCreateCommand()] }
    var help: String { "Manages staff accounts" }
}
