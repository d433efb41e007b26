import Fluent
import Foundation
import Vapor

struct SIP2AccountCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "user", help: "Login user (CN)") var user: String?
        @Option(name: "library", help: "Library code") var library: String?
        @Option(name: "institution", help: "Institution id (AO); defaults to the library code") var institution: String?
        @Option(name: "allow", help: "Comma-separated client addresses or IPv4 CIDR blocks, or 'any'; default this machine only (127.0.0.1,::1)") var allow: String?
        @Option(name: "encoding", help: "utf8 (default), latin1 or cp950") var encoding: String?
        @Flag(name: "personal-data", help: "Answers may include name, email and phone") var personalData: Bool
        @Flag(name: "alternate-ids", help: "Accept bound EasyCard/iPASS numbers and ID numbers as patron ids, not only card numbers") var alternateIDs: Bool
        @Flag(name: "no-error-detection", help: "Do not use AY/AZ checksums") var noErrorDetection: Bool
    }

    var help: String { "Creates a SIP2 account and prints its generated password" }

    /// Without `--allow` a new account may log in from this machine only: an account open to every address
    /// must be asked for (`--allow any`), never be what a forgotten option gives.
    static let defaultAllowedAddresses = "127.0.0.1,::1"

    func run(using context: CommandContext, signature: Signature) async throws {
        if signature.allow == nil {
            // Standard error: standard output carries the password alone, for scripts.
            FileHandle.standardError.write(Data("""
                note: no --allow given, so this account may log in from this machine only (\(Self.defaultAllowedAddresses)); \
                give the client's addresses with `sip2 account update --user U --allow ADDRS` (or --allow any)

                """.utf8))
        }
        let created = try await context.application.sip2Accounts.create(
            user: signature.user ?? "", libraryCode: signature.library ?? "", institution: signature.institution,
            allowedAddresses: signature.allow ?? Self.defaultAllowedAddresses, encoding: signature.encoding ?? "utf8",
            personalData: signature.personalData, alternateIDs: signature.alternateIDs,
            errorDetection: !signature.noErrorDetection)
        context.console.output(created.password.consoleText())
    }
}
