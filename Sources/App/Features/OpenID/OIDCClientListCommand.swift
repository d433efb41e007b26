import Vapor

/// Lists the registered relying parties, one a line: client_id, kind, state, name, scopes, card holders,
/// redirect URIs, ID token algorithm (tab-separated).
struct OIDCClientListCommand: AsyncCommand {
    struct Signature: CommandSignature {}

    var help: String { "Lists the OpenID Connect clients" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        for client in try await OIDCClients(database: app.db, now: app.clock.now()).list() {
            let readers = (client.libraryCodes + (client.allDigitalCards ? ["all digital cards"] : [])).joined(separator: ", ")
            context.console.print([client.clientID, client.isConfidential ? "confidential" : "public",
                                   client.disabledAt == nil ? "active" : "disabled", client.name, client.scopesText, readers,
                                   client.redirectURIs.joined(separator: " "), client.idTokenAlgorithm.rawValue].joined(separator: "\t"))
        }
    }
}
