import Vapor

/// `onecard api-client disable --client ID`: the token is refused from the client's next request.
struct APIClientDisableCommand: AsyncCommand {
    typealias Signature = APIClientClientSignature
    var help: String { "Disables an API client: its token is refused from its next request" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let changed = try await APIClients.disable(id: signature.client ?? "", database: app.db, now: app.clock.now())
        context.console.print(changed ? "Disabled \(signature.client ?? "")." : "\(signature.client ?? "") was already disabled.")
    }
}
