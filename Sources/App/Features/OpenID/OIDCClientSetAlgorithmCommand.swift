import Vapor

/// Changes how a relying party's ID tokens are signed (`ES256` or `RS256`). Tokens it already holds stay valid:
/// the key that signed them stays published until they expire.
struct OIDCClientSetAlgorithmCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "client-id", help: "The client_id")
        var clientID: String
        @Argument(name: "alg", help: "ES256 or RS256")
        var algorithm: String
    }

    var help: String { "Sets how an OpenID Connect client's ID tokens are signed (ES256 or RS256)" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        do {
            try await OIDCClients(database: app.db, now: app.clock.now())
                .update(clientID: signature.clientID, idTokenAlgorithm: signature.algorithm, by: .commandLine)
            context.console.print("\(signature.clientID): ID tokens signed \(try OIDCClients.algorithm(signature.algorithm).rawValue)")
        } catch let error as OIDCClientError {
            throw error.commandInputError(app.localizer)
        }
    }
}
