import Vapor

struct PartnerEndpointCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "library", help: "Code of the partner library that receives the events, e.g. NTPL")
        var library: String?
        @Option(name: "url", help: "The partner system's webhook URL (https://)")
        var url: String?
    }

    var help: String { "Sets a partner library's webhook endpoint and prints a new signing secret" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let secret = try await PartnerEndpoints.configure(libraryCode: signature.library ?? "", url: signature.url ?? "",
                                                          allowsPlainHTTP: app.environment != .production, database: app.db,
                                                          vault: app.vault, now: app.clock.now())
        context.console.output(secret.consoleText())
    }
}
