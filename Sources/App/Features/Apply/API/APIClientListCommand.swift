import Fluent
import Foundation
import Vapor

/// `onecard api-client list [--json]`: every client with its id, library and scopes; never a token.
struct APIClientListCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "json", help: "Print a JSON array instead of a table") var json: Bool
    }

    var help: String { "Lists API clients: id, name, library, scopes, alternate identifiers, revoked" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let clients = try await APIClients.list(database: context.application.db)
        if signature.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
            context.console.output(String(decoding: try encoder.encode(clients), as: UTF8.self).consoleText())
        } else {
            let lines = clients.map {
                [$0.id, $0.library, $0.scopes.joined(separator: ","), $0.alternateIdentifiers ? "alternate-ids" : "-",
                 $0.revoked ? "revoked" : "-", $0.name].joined(separator: "\t")
            }
            context.console.output((["id\tlibrary\tscopes\tidentifiers\trevoked\tname"] + lines).joined(separator: "\n").consoleText())
        }
    }
}
