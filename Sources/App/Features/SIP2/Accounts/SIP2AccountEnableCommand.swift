import Fluent
import Foundation
import Vapor

struct SIP2AccountEnableCommand: AsyncCommand {
    typealias Signature = SIP2AccountUserSignature
    var help: String { "Enables a disabled SIP2 account again" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let changed = try await context.application.sip2Accounts.setDisabled(false, user: signature.user)
        context.console.print(changed ? "Enabled \(signature.user ?? "")." : "\(signature.user ?? "") was not disabled.")
    }
}
