import Fluent
import Vapor

/// `onecard sip2 account create --user U --library CODE [--institution ID] [--allow ADDRESSES]
/// [--personal-data] [--alternate-ids] [--no-error-detection] [--encoding utf8|latin1|cp950]`
struct SIP2Commands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["account": SIP2AccountCommands()] }
    var help: String { "SIP2 client accounts" }
}

struct SIP2AccountCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["create": SIP2AccountCreateCommand()] }
    var help: String { "Manages SIP2 client accounts" }
}

struct SIP2AccountCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "user", help: "Login user (CN)") var user: String?
        @Option(name: "library", help: "Library code") var library: String?
        @Option(name: "institution", help: "Institution id (AO); defaults to the library code") var institution: String?
        @Option(name: "allow", help: "Comma-separated client addresses or IPv4 CIDR blocks; default any") var allow: String?
        @Option(name: "encoding", help: "utf8 (default), latin1 or cp950") var encoding: String?
        @Flag(name: "personal-data", help: "Answers may include name, email and phone") var personalData: Bool
        @Flag(name: "alternate-ids", help: "Accept bound EasyCard/iPASS numbers as patron ids") var alternateIDs: Bool
        @Flag(name: "no-error-detection", help: "Do not use AY/AZ checksums") var noErrorDetection: Bool
    }

    var help: String { "Creates a SIP2 account and prints its generated password" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let created = try await SIP2Accounts.create(
            user: signature.user ?? "", libraryCode: signature.library ?? "", institution: signature.institution,
            allowedAddresses: signature.allow ?? "", encoding: signature.encoding ?? "utf8",
            personalData: signature.personalData, alternateIDs: signature.alternateIDs,
            errorDetection: !signature.noErrorDetection, app: context.application)
        context.console.output(created.password.consoleText())
    }
}

enum SIP2Accounts {
    struct Created {
        let user: String
        let password: String
        let institution: String
    }

    static func create(user rawUser: String, libraryCode: String, institution: String?, allowedAddresses: String,
                       encoding: String, personalData: Bool, alternateIDs: Bool, errorDetection: Bool,
                       app: Application) async throws -> Created {
        let user = rawUser.trimmingCharacters(in: .whitespaces)
        guard !user.isEmpty, user.count <= 64, !user.contains("|") else {
            throw CalendarCommandError(description: "--user is required (at most 64 characters, no '|')")
        }
        guard ["utf8", "latin1", "cp950"].contains(encoding) else {
            throw CalendarCommandError(description: "--encoding must be utf8, latin1 or cp950")
        }
        for entry in allowedAddresses.split(separator: ",") where AddressRule(String(entry)) == nil {
            throw CalendarCommandError(description: "'\(entry)' is not an address or IPv4 CIDR block")
        }
        let library = try await Library.require(code: libraryCode, on: app.db)
        // SIP2 passwords travel in clear on many installations: long and random, never chosen by people.
        let password = OneTimeToken.make().token
        let record = SIP2AccountRecord()
        record.loginUser = user
        record.passwordHash = try await app.password.async(on: app.threadPool, hopTo: app.eventLoopGroup.next()).hash(password).get()
        record.institution = institution ?? library.code
        record.$library.id = try library.requireID()
        record.errorDetection = errorDetection
        record.encoding = encoding
        record.mayReadPersonalData = personalData
        record.acceptsAlternateIdentifiers = alternateIDs
        record.allowedAddresses = allowedAddresses
        record.createdAt = app.clock.now()
        do {
            try await app.db.transaction { db in
                try await record.create(on: db)
                try await AuditTrail.record("sip2_account.created", by: .system("cli"), subject: ("sip2_account", record.id!.uuidString),
                                            libraryID: library.id, at: record.createdAt, on: db)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw CalendarCommandError(description: "a SIP2 account with user '\(user)' already exists")
        }
        return Created(user: user, password: password, institution: record.institution)
    }
}

/// One entry of an account's allowed client addresses: an exact address or an IPv4 CIDR block.
struct AddressRule: Equatable {
    let network: UInt32?
    let prefix: Int
    let exact: String?

    init?(_ text: String) {
        let text = text.trimmingCharacters(in: .whitespaces)
        let parts = text.split(separator: "/", maxSplits: 1)
        if parts.count == 2 {
            guard let network = Self.ipv4(String(parts[0])), let prefix = Int(parts[1]), (0...32).contains(prefix) else { return nil }
            self.network = network
            self.prefix = prefix
            self.exact = nil
        } else {
            guard !text.isEmpty, Self.ipv4(text) != nil || text.contains(":") else { return nil }
            self.network = nil
            self.prefix = 0
            self.exact = text
        }
    }

    static func ipv4(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt32($0) }
        guard octets.count == 4, octets.allSatisfy({ $0 <= 255 }), text.split(separator: ".").count == 4 else { return nil }
        return octets.reduce(0) { $0 << 8 | $1 }
    }

    func matches(_ address: String) -> Bool {
        if let exact { return exact == address }
        guard let network, let value = Self.ipv4(address) else { return false }
        let mask: UInt32 = prefix == 0 ? 0 : ~UInt32(0) << (32 - prefix)
        return value & mask == network & mask
    }

    /// Whether `address` may connect under a comma-separated list; an empty list allows everyone.
    static func allows(_ list: String, address: String?) -> Bool {
        let rules = list.split(separator: ",").compactMap { AddressRule(String($0)) }
        guard !rules.isEmpty else { return true }
        guard let address else { return false }
        return rules.contains { $0.matches(address) }
    }
}
