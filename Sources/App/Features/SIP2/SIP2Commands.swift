import Fluent
import Foundation
import Vapor

/// `onecard sip2 account create --user U --library CODE [--institution ID] [--allow ADDRESSES]
/// [--personal-data] [--alternate-ids] [--no-error-detection] [--encoding utf8|latin1|cp950]`,
/// `sip2 account list [--json]`, `sip2 account disable --user U`, `sip2 account enable --user U`,
/// `sip2 account rotate-password --user U`, `sip2 account update --user U [--allow ADDRESSES|any]
/// [--encoding E] [--personal-data|--no-personal-data] [--alternate-ids|--no-alternate-ids]
/// [--error-detection|--no-error-detection]`. Every change is written to the audit trail.
struct SIP2Commands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["account": SIP2AccountCommands()] }
    var help: String { "SIP2 client accounts" }
}
