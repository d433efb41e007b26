import Vapor

/// Registers a relying party and prints its `client_id` and, for a confidential client, its secret (once).
struct OIDCClientCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "name", help: "Name shown on the consent screen")
        var name: String?
        @Option(name: "home-page", help: "The service's https:// home page")
        var homePage: String?
        @Option(name: "redirect-uri", help: "Exact redirect URIs, comma-separated")
        var redirectURIs: String?
        @Option(name: "scopes", help: "Allowed scopes, space- or comma-separated (openid profile email card age birthdate)")
        var scopes: String?
        @Option(name: "libraries", help: "Codes of the libraries whose card holders may use it, comma-separated")
        var libraries: String?
        @Flag(name: "all-digital-cards", help: "Every digital card of the consortium may use it too")
        var allDigitalCards: Bool
        @Flag(name: "public", help: "A public client (no secret; PKCE S256 required)")
        var isPublic: Bool
        @Flag(name: "introspects-any-token", help: "A resource server's client: may introspect every client's tokens, not only its own")
        var introspectsAnyToken: Bool
        @Option(name: "client-id", help: "The client_id (lower-case letters, digits, - . _); random when left out")
        var clientID: String?
        @Option(name: "id-token-alg", help: "How its ID tokens are signed: ES256 (the default) or RS256")
        var idTokenAlgorithm: String?
    }

    var help: String { "Registers an OpenID Connect client" }

    func run(using context: CommandContext, signature: Signature) async throws {
        func list(_ text: String?) -> [String] {
            (text ?? "").split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
        }
        let registration = OIDCClientRegistration(
            clientID: signature.clientID ?? "", name: signature.name ?? "", homePage: signature.homePage ?? "",
            redirectURIs: list(signature.redirectURIs), scopes: list(signature.scopes), libraryCodes: list(signature.libraries),
            allDigitalCards: signature.allDigitalCards, confidential: !signature.isPublic,
            introspectsAnyToken: signature.introspectsAnyToken,
            idTokenAlgorithm: signature.idTokenAlgorithm ?? OIDCSigningAlgorithm.es256.rawValue)
        let app = context.application
        do {
            let (client, secret) = try await OIDCClients(database: app.db, now: app.clock.now()).create(registration, by: .commandLine)
            context.console.print("client_id: \(client.clientID)")
            if let secret { context.console.print("client_secret: \(secret)  (shown once; only its hash is kept)") }
        } catch let error as OIDCClientError {
            throw error.commandInputError(app.localizer)
        }
    }
}
