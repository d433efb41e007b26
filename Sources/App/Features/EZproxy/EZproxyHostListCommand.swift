import Foundation
import Vapor

/// `onecard ezproxy host list [--json]`: never a secret.
struct EZproxyHostListCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "json", help: "Print a JSON array instead of a table") var json: Bool
    }

    var help: String { "Lists EZproxy hosts: name, library, address, ticket digest" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let hosts = try await EZproxyHosts.list(database: context.application.db)
        if signature.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
            context.console.output(String(decoding: try encoder.encode(hosts), as: UTF8.self).consoleText())
        } else {
            let lines = hosts.map { [$0.name, $0.library, $0.algorithm, $0.loginURL].joined(separator: "\t") }
            context.console.output((["name\tlibrary\talgorithm\turl"] + lines).joined(separator: "\n").consoleText())
        }
    }
}
