import Vapor

/// `onecard oidc client create|list|disable|rotate-secret` and `onecard oidc key rotate`.
struct OIDCCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["client": OIDCClientCommands(), "key": OIDCKeyCommands()] }
    var help: String { "OneCard as an OpenID Connect provider: its clients and signing keys" }
}
