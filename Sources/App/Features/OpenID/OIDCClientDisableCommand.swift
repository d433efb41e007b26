import Vapor

/// Disables a relying party: refused everywhere, its tokens revoked.
struct OIDCClientDisableCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "client-id", help: "The client_id")
        var clientID: String
    }

    var help: String { "Disables an OpenID Connect client and revokes its tokens" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        do {
            try await OIDCClients(database: app.db, now: app.clock.now()).disable(clientID: signature.clientID, by: .commandLine)
            context.console.print("\(signature.clientID): disabled")
        } catch let error as OIDCClientError {
            throw error.commandInputError(app.localizer)
        }
    }
}
