import Fluent
import Foundation
import Vapor

struct SIP2AccountDisableCommand: AsyncCommand {
    typealias Signature = SIP2AccountUserSignature
    var help: String { "Disables a SIP2 account: it can no longer log in, and its open connections are closed at their next patron request" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let changed = try await context.application.sip2Accounts.setDisabled(true, user: signature.user)
        context.console.print(changed ? "Disabled \(signature.user ?? "")." : "\(signature.user ?? "") was already disabled.")
    }
}
