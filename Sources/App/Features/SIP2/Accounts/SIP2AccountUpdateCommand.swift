import Fluent
import Foundation
import Vapor

struct SIP2AccountUpdateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "user", help: "Login user (CN)") var user: String?
        @Option(name: "allow", help: "Comma-separated client addresses or IPv4 CIDR blocks; 'any' allows every address") var allow: String?
        @Option(name: "encoding", help: "utf8, latin1 or cp950") var encoding: String?
        @Flag(name: "personal-data", help: "Answers may include name, email and phone") var personalData: Bool
        @Flag(name: "no-personal-data", help: "Answers carry no name, email or phone") var noPersonalData: Bool
        @Flag(name: "alternate-ids", help: "Accept bound EasyCard/iPASS numbers and ID numbers as patron ids, not only card numbers") var alternateIDs: Bool
        @Flag(name: "no-alternate-ids", help: "Accept card numbers and ID numbers only") var noAlternateIDs: Bool
        @Flag(name: "error-detection", help: "Use AY/AZ checksums") var errorDetection: Bool
        @Flag(name: "no-error-detection", help: "Do not use AY/AZ checksums") var noErrorDetection: Bool
    }

    var help: String { "Changes a SIP2 account's allowed addresses, encoding or flags" }

    func run(using context: CommandContext, signature: Signature) async throws {
        func pair(_ on: Bool, _ off: Bool, _ name: String) throws -> Bool? {
            if on && off { throw CommandInputError(description: "give either --\(name) or --no-\(name), not both") }
            return on ? true : off ? false : nil
        }
        let changes = SIP2Accounts.Changes(
            allowedAddresses: signature.allow, encoding: signature.encoding,
            personalData: try pair(signature.personalData, signature.noPersonalData, "personal-data"),
            alternateIDs: try pair(signature.alternateIDs, signature.noAlternateIDs, "alternate-ids"),
            errorDetection: try pair(signature.errorDetection, signature.noErrorDetection, "error-detection"))
        let changed = try await context.application.sip2Accounts.update(user: signature.user, changes)
        context.console.print(changed.isEmpty
            ? "Nothing changed."
            : "Updated \(signature.user ?? ""): " + changed.keys.sorted().map { "\($0)=\(changed[$0]!)" }.joined(separator: ", "))
    }
}
