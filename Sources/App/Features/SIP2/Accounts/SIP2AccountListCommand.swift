import Fluent
import Foundation
import Vapor

struct SIP2AccountListCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "json", help: "Print a JSON array instead of a table") var json: Bool
    }

    var help: String { "Lists SIP2 accounts: user, library, institution, allowed addresses, flags, disabled" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let accounts = try await context.application.sip2Accounts.list()
        if signature.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
            encoder.dateEncodingStrategy = .iso8601
            context.console.output(String(decoding: try encoder.encode(accounts), as: UTF8.self).consoleText())
        } else {
            context.console.output(SIP2Accounts.table(accounts).consoleText())
        }
    }
}
