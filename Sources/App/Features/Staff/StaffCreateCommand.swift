import Fluent
import OneCardDomain
import Vapor

struct StaffCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "library", help: "Library code, e.g. TPML")
        var library: String?
        @Option(name: "role", help: "desk, reviewer, admin or consortium_admin")
        var role: String?
        @Option(name: "email", help: "The staff member's email address")
        var email: String?
        @Option(name: "locale", help: "Language of the invitation email: zh-TW (default) or en")
        var locale: String?
    }

    var help: String { "Creates a staff account and prints a one-time password-setting link" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let now = app.clock.now()
        let accounts = StaffAccounts(database: app.db, outbox: Outbox(localizer: app.localizer, settings: app.settings, vault: app.vault, now: now),
                                     localizer: app.localizer, baseURL: app.settings.baseURL,
                                     linkLifetime: app.settings.staffPasswordLinkLifetime, now: now)
        let link = try await accounts.create(
            libraryCode: signature.library ?? "", role: signature.role ?? "", email: signature.email ?? "",
            locale: signature.locale.flatMap(SiteLocale.init(tag:)) ?? .zhTW
        )
        context.console.output(link.absoluteString.consoleText())
    }
}
