import Vapor

/// `onecard ezproxy host remove --name N`: the host's login address answers 404 from now on.
struct EZproxyHostRemoveCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "name", help: "The host's name, as `ezproxy host list` shows it") var name: String?
    }

    var help: String { "Removes an EZproxy host and its shared secret" }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await EZproxyHosts.remove(name: signature.name ?? "", database: context.application.db, now: context.application.clock.now())
        context.console.print("Removed \(signature.name ?? "").")
    }
}
