import Vapor

/// `onecard oidc key rotate`.
struct OIDCKeyCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["rotate": OIDCKeyRotateCommand()] }
    var help: String { "The keys ID tokens are signed with" }
}
