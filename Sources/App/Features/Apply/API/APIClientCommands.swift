import Fluent
import Vapor

/// `onecard api-client create|list|update|disable|rotate-token`: API clients and their scopes (issue #15 item 4);
/// the back office's `/staff/api-clients` calls the same `APIClients` (issue #14 item 6).
struct APIClientCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] {
        ["create": APIClientCreateCommand(), "list": APIClientListCommand(), "update": APIClientUpdateCommand(),
         "disable": APIClientDisableCommand(), "rotate-token": APIClientRotateTokenCommand()]
    }
    var help: String { "Manages API clients (kiosks, partner systems, e-resource vendors) and their scopes" }
}
