import Fluent
import Foundation
import Vapor

struct SIP2AccountCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] {
        ["create": SIP2AccountCreateCommand(), "list": SIP2AccountListCommand(), "disable": SIP2AccountDisableCommand(),
         "enable": SIP2AccountEnableCommand(), "rotate-password": SIP2AccountRotatePasswordCommand(),
         "update": SIP2AccountUpdateCommand()]
    }
    var help: String { "Manages SIP2 client accounts" }
}
