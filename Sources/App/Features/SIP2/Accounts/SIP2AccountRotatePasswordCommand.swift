import Fluent
import Foundation
import Vapor

struct SIP2AccountRotatePasswordCommand: AsyncCommand {
    typealias Signature = SIP2AccountUserSignature
    var help: String { "Gives a SIP2 account a new generated password and prints it once; the old one stops working" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let password = try await context.application.sip2Accounts.rotatePassword(user: signature.user)
        context.console.output(password.consoleText())
    }
}
