import Vapor

/// A new secret for a confidential client, printed once; the old one stops working.
struct OIDCClientRotateSecretCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "client-id", help: "The client_id")
        var clientID: String
    }

    var help: String { "Gives a confidential OpenID Connect client a new secret" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        do {
            let secret = try await OIDCClients(database: app.db, now: app.clock.now()).rotateSecret(clientID: signature.clientID, by: .commandLine)
            context.console.print("client_secret: \(secret)  (shown once; only its hash is kept)")
        } catch let error as OIDCClientError {
            throw error.commandInputError(app.localizer)
        }
    }
}
