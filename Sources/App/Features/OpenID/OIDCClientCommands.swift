import Vapor

/// `onecard oidc client create|list|disable|rotate-secret|set-alg`.
struct OIDCClientCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] {
        ["create": OIDCClientCreateCommand(), "list": OIDCClientListCommand(), "disable": OIDCClientDisableCommand(),
         "rotate-secret": OIDCClientRotateSecretCommand(), "set-alg": OIDCClientSetAlgorithmCommand()]
    }
    var help: String { "Relying parties (e-resource platforms) that sign readers in with OneCard" }
}

extension OIDCClientError {
    /// The English message, for the command line.
    func commandInputError(_ localizer: Localizer) -> CommandInputError {
        CommandInputError(description: localizer.text(messageKey, .en, messageValues))
    }
}
