import Fluent
import OneCardDomain
import Vapor

struct StaffCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "library", help: "Library code, e.g. TPML")
        var library: String?
        @Option(name: "role", help: "desk, reviewer or admin")
        var role: String?
        @Option(name: "email", help: "The staff member's email address")
        var email: String?
        @Option(name: "locale", help: "Language of the invitation email: zh-TW (default) or en")
        var locale: String?
    }

    var help: String { "Creates a staff account and prints a one-time password-setting link" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let link = try await StaffAccounts.create(
            libraryCode: signature.library ?? "", role: signature.role ?? "", email: signature.email ?? "",
            locale: signature.locale.flatMap(SiteLocale.init(tag:)) ?? .zhTW, app: app
        )
        context.console.output(link.absoluteString.consoleText())
    }
}
