import Fluent
import Vapor

/// `onecard api-client update --client ID [--scope S[,S]] [--alternate-ids|--no-alternate-ids] [--allow ADDRESSES|any]`.
struct APIClientUpdateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "client", help: "The client's id, as `api-client list` shows it")
        var client: String?
        @Option(name: "scope", help: "The client's scopes from now on, comma-separated: card-applications, partner-lookup, patron-authentication")
        var scope: String?
        @Flag(name: "alternate-ids", help: "Patron authentication accepts ID numbers and bound EasyCard/iPASS numbers")
        var alternateIDs: Bool
        @Flag(name: "no-alternate-ids", help: "Patron authentication accepts card numbers only")
        var noAlternateIDs: Bool
        @Option(name: "allow", help: "Comma-separated client addresses or IPv4 CIDR blocks the token may be used from; 'any' allows every address")
        var allow: String?
    }

    var help: String { "Changes an API client's scopes, accepted identifiers or allowed addresses (from its next request)" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard !(signature.alternateIDs && signature.noAlternateIDs) else {
            throw CommandInputError(description: "--alternate-ids and --no-alternate-ids exclude each other")
        }
        let scopes = try signature.scope.map(APIClients.parseScopes)
        let alternate: Bool? = signature.alternateIDs ? true : signature.noAlternateIDs ? false : nil
        guard scopes != nil || alternate != nil || signature.allow != nil else {
            throw CommandInputError(description: "nothing to change: give --scope, --alternate-ids, --no-alternate-ids or --allow")
        }
        try await APIClients.update(id: signature.client ?? "", scopes: scopes, alternateIdentifiers: alternate,
                                    allowedAddresses: signature.allow, database: app.db, now: app.clock.now())
        context.console.print("Updated \(signature.client ?? "").")
    }
}
