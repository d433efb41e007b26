import Fluent
import Vapor

/// `onecard api-client create --name NAME --library CODE --scope S[,S] [--alternate-ids] [--allow ADDRESSES]`: prints the bearer token, once.
struct APIClientCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "name", help: "Who uses the token, e.g. 'Main library kiosk'")
        var name: String?
        @Option(name: "library", help: "Library code the client applies to")
        var library: String?
        @Option(name: "scope", help: "What the token may do, comma-separated: card-applications, partner-lookup, patron-authentication")
        var scope: String?
        @Flag(name: "alternate-ids", help: "Patron authentication accepts ID numbers and bound EasyCard/iPASS numbers, not only card numbers")
        var alternateIDs: Bool
        @Option(name: "allow", help: "Comma-separated client addresses or IPv4 CIDR blocks the token may be used from; default any")
        var allow: String?
    }

    var help: String { "Creates an API client with the given scopes and prints its bearer token" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let scopes = try APIClients.parseScopes(signature.scope ?? "")
        let token = try await APIClients.create(name: signature.name ?? "", libraryCode: signature.library ?? "", scopes: scopes,
                                                alternateIdentifiers: signature.alternateIDs,
                                                allowedAddresses: signature.allow ?? "", database: app.db, now: app.clock.now())
        context.console.output(token.consoleText())
    }
}
