import Fluent
import Vapor

struct APIClientCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "name", help: "Who uses the token, e.g. 'Main library kiosk'")
        var name: String?
        @Option(name: "library", help: "Library code the client applies to")
        var library: String?
    }

    var help: String { "Creates an API client and prints its bearer token" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let token = try await APIClients.create(name: signature.name ?? "", libraryCode: signature.library ?? "", database: app.db,
                                                now: app.clock.now())
        context.console.output(token.consoleText())
    }
}
