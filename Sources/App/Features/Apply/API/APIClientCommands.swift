import Fluent
import Vapor

/// `onecard api-client create --name NAME --library CODE`: prints the bearer token, once.
struct APIClientCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["create": APIClientCreateCommand()] }
    var help: String { "Manages API clients (kiosks, apps)" }
}
