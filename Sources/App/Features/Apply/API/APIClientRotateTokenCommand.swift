import Vapor

/// `onecard api-client rotate-token --client ID`: prints a new bearer token, once; the old one stops at once.
struct APIClientRotateTokenCommand: AsyncCommand {
    typealias Signature = APIClientClientSignature
    var help: String { "Gives an API client a new bearer token and prints it once; the old one stops working" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let token = try await APIClients.rotateToken(id: signature.client ?? "", database: app.db, now: app.clock.now())
        context.console.output(token.consoleText())
    }
}
