import Fluent
import Foundation
import Vapor

struct SIP2AccountUserSignature: CommandSignature {
    @Option(name: "user", help: "Login user (CN)") var user: String?
    init() {}
}
