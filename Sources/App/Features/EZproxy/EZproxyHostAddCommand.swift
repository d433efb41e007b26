import Vapor

/// `onecard ezproxy host add --name N --library CODE --url URL [--algorithm md5|sha1|sha256|sha512]`: prints
/// the lines for EZproxy's user.txt, with the generated shared secret: the only time it is shown.
struct EZproxyHostAddCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "name", help: "A short name for the host (lower-case letters, digits, '-'); part of its login address")
        var name: String?
        @Option(name: "library", help: "Library code whose card holders (and those who linked it) may sign in")
        var library: String?
        @Option(name: "url", help: "EZproxy's base address, e.g. https://ezproxy.example.org")
        var url: String?
        @Option(name: "algorithm", help: "Ticket digest: sha512 (default), sha256, sha1 or md5, as user.txt's ::Ticket block names it")
        var algorithm: String?
    }

    var help: String { "Adds an EZproxy host and prints the user.txt lines with its new shared secret" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        var base = app.settings.baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        let added = try await EZproxyHosts.add(
            name: signature.name ?? "", libraryCode: signature.library ?? "", loginURL: signature.url ?? "",
            algorithm: signature.algorithm ?? EZproxyTicket.Algorithm.sha512.rawValue,
            signInURL: { name in base + SiteURL.ezproxyLogin(host: .value(name)).path },
            allowsPlainHTTP: app.environment != .production, database: app.db, vault: app.vault, now: app.clock.now())
        context.console.output(added.userText.consoleText())
    }
}
