import Fluent
import Vapor

/// `onecard api-client create --name NAME --library CODE`: prints the bearer token, once.
struct APIClientCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["create": APIClientCreateCommand()] }
    var help: String { "Manages API clients (kiosks, apps)" }
}

struct APIClientCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "name", help: "Who uses the token, e.g. 'Main library kiosk'")
        var name: String?
        @Option(name: "library", help: "Library code the client applies to")
        var library: String?
    }

    var help: String { "Creates an API client and prints its bearer token" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let token = try await APIClients.create(name: signature.name ?? "", libraryCode: signature.library ?? "", app: context.application)
        context.console.output(token.consoleText())
    }
}

enum APIClients {
    static func create(name: String, libraryCode: String, app: Application) async throws -> String {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw CommandInputError(description: "--name is required") }
        let library = try await Library.require(code: libraryCode, on: app.db)
        let (token, hash) = OneTimeToken.make()
        let now = app.clock.now()
        try await app.db.transaction { db in
            let client = APIClient(name: name, libraryID: try library.requireID(), tokenHash: hash, createdAt: now)
            try await client.create(on: db)
            try await AuditTrail.record("api_client.created", by: .system("cli"), subject: ("api_client", client.id!.uuidString),
                                        libraryID: library.id, at: now, on: db)
        }
        return token
    }
}
