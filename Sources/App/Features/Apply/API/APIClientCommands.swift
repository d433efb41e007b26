import Fluent
import Vapor

/// `onecard api-client create|list|update`: API clients and their scopes (issue #15 item 4).
struct APIClientCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] {
        ["create": APIClientCreateCommand(), "list": APIClientListCommand(), "update": APIClientUpdateCommand()]
    }
    var help: String { "Manages API clients (kiosks, partner systems, e-resource vendors) and their scopes" }
}
