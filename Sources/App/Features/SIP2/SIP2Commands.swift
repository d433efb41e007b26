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

struct SIP2AccountCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] {
        ["create": SIP2AccountCreateCommand(), "list": SIP2AccountListCommand(), "disable": SIP2AccountDisableCommand(),
         "enable": SIP2AccountEnableCommand(), "rotate-password": SIP2AccountRotatePasswordCommand(),
         "update": SIP2AccountUpdateCommand()]
    }
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
        @Flag(name: "alternate-ids", help: "Accept bound EasyCard/iPASS numbers and ID numbers as patron ids, not only card numbers") var alternateIDs: Bool
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

struct SIP2AccountListCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "json", help: "Print a JSON array instead of a table") var json: Bool
    }

    var help: String { "Lists SIP2 accounts: user, library, institution, allowed addresses, flags, disabled" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let accounts = try await SIP2Accounts.list(app: context.application)
        if signature.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
            encoder.dateEncodingStrategy = .iso8601
            context.console.output(String(decoding: try encoder.encode(accounts), as: UTF8.self).consoleText())
        } else {
            context.console.output(SIP2Accounts.table(accounts).consoleText())
        }
    }
}

struct SIP2AccountUserSignature: CommandSignature {
    @Option(name: "user", help: "Login user (CN)") var user: String?
    init() {}
}

struct SIP2AccountDisableCommand: AsyncCommand {
    typealias Signature = SIP2AccountUserSignature
    var help: String { "Disables a SIP2 account: it can no longer log in, and its open connections are closed at their next patron request" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let changed = try await SIP2Accounts.setDisabled(true, user: signature.user, app: context.application)
        context.console.print(changed ? "Disabled \(signature.user ?? "")." : "\(signature.user ?? "") was already disabled.")
    }
}

struct SIP2AccountEnableCommand: AsyncCommand {
    typealias Signature = SIP2AccountUserSignature
    var help: String { "Enables a disabled SIP2 account again" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let changed = try await SIP2Accounts.setDisabled(false, user: signature.user, app: context.application)
        context.console.print(changed ? "Enabled \(signature.user ?? "")." : "\(signature.user ?? "") was not disabled.")
    }
}

struct SIP2AccountRotatePasswordCommand: AsyncCommand {
    typealias Signature = SIP2AccountUserSignature
    var help: String { "Gives a SIP2 account a new generated password and prints it once; the old one stops working" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let password = try await SIP2Accounts.rotatePassword(user: signature.user, app: context.application)
        context.console.output(password.consoleText())
    }
}

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
        let changed = try await SIP2Accounts.update(user: signature.user, changes, app: context.application)
        context.console.print(changed.isEmpty
            ? "Nothing changed."
            : "Updated \(signature.user ?? ""): " + changed.keys.sorted().map { "\($0)=\(changed[$0]!)" }.joined(separator: ", "))
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
            throw CommandInputError(description: "--user is required (at most 64 characters, no '|')")
        }
        try checkEncoding(encoding)
        try checkAllowedAddresses(allowedAddresses)
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
            throw CommandInputError(description: "a SIP2 account with user '\(user)' already exists")
        }
        return Created(user: user, password: password, institution: record.institution)
    }

    static let encodings = ["utf8", "latin1", "cp950"]

    static func checkEncoding(_ encoding: String) throws {
        guard encodings.contains(encoding) else {
            throw CommandInputError(description: "--encoding must be utf8, latin1 or cp950, not '\(encoding)'")
        }
    }

    static func checkAllowedAddresses(_ list: String) throws {
        for entry in list.split(separator: ",") where AddressRule(String(entry)) == nil {
            throw CommandInputError(description: "--allow: '\(entry)' is not an address or IPv4 CIDR block")
        }
    }

    /// One account as `sip2 account list` shows it. No password hash.
    struct Summary: Codable, Equatable {
        let user: String
        let library: String
        let institution: String
        let allowedAddresses: [String]
        let encoding: String
        let errorDetection: Bool
        let personalData: Bool
        let alternateIDs: Bool
        let disabled: Bool
        let createdAt: Date
        let disabledAt: Date?
    }

    static func list(app: Application) async throws -> [Summary] {
        try await SIP2AccountRecord.query(on: app.db).with(\.$library).sort(\.$loginUser).all().map { record in
            Summary(
                user: record.loginUser, library: record.library.code, institution: record.institution,
                allowedAddresses: record.allowedAddresses.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
                encoding: record.encoding, errorDetection: record.errorDetection, personalData: record.mayReadPersonalData,
                alternateIDs: record.acceptsAlternateIdentifiers, disabled: record.disabledAt != nil,
                createdAt: record.createdAt, disabledAt: record.disabledAt)
        }
    }

    /// The accounts as an aligned text table, one line each.
    static func table(_ accounts: [Summary]) -> String {
        let header = ["USER", "LIBRARY", "INSTITUTION", "ALLOW", "ENCODING", "FLAGS", "DISABLED"]
        let rows = accounts.map { account -> [String] in
            let flags = [(account.errorDetection, "error-detection"), (account.personalData, "personal-data"),
                         (account.alternateIDs, "alternate-ids")].filter { $0.0 }.map { $0.1 }
            return [account.user, account.library, account.institution,
                    account.allowedAddresses.isEmpty ? "any" : account.allowedAddresses.joined(separator: ","),
                    account.encoding, flags.isEmpty ? "-" : flags.joined(separator: ","),
                    account.disabledAt.map { ISO8601DateFormatter().string(from: $0) } ?? "no"]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }

    /// The account with this login user, or an error that names `--user`.
    static func require(user rawUser: String?, on db: any Database) async throws -> SIP2AccountRecord {
        let user = (rawUser ?? "").trimmingCharacters(in: .whitespaces)
        guard !user.isEmpty else { throw CommandInputError(description: "--user is required") }
        guard let record = try await SIP2AccountRecord.query(on: db).filter(\.$loginUser == user).first() else {
            throw CommandInputError(description: "--user: no SIP2 account '\(user)'")
        }
        return record
    }

    /// Disables (or enables) an account; false when it already was. A disabled account cannot log in,
    /// and its open connections are closed at their next patron request.
    @discardableResult
    static func setDisabled(_ disabled: Bool, user: String?, app: Application) async throws -> Bool {
        try await app.db.transaction { db in
            let record = try await require(user: user, on: db)
            guard (record.disabledAt != nil) != disabled else { return false }
            let now = app.clock.now()
            record.disabledAt = disabled ? now : nil
            try await record.save(on: db)
            try await AuditTrail.record(disabled ? "sip2_account.disabled" : "sip2_account.enabled", by: .system("cli"),
                                        subject: ("sip2_account", try record.requireID().uuidString),
                                        libraryID: record.$library.id, at: now, on: db)
            return true
        }
    }

    /// A new generated password for the account, returned once; the old one stops working at once.
    static func rotatePassword(user: String?, app: Application) async throws -> String {
        let password = OneTimeToken.make().token
        let hash = try await app.password.async(on: app.threadPool, hopTo: app.eventLoopGroup.next()).hash(password).get()
        try await app.db.transaction { db in
            let record = try await require(user: user, on: db)
            record.passwordHash = hash
            try await record.save(on: db)
            try await AuditTrail.record("sip2_account.password_rotated", by: .system("cli"),
                                        subject: ("sip2_account", try record.requireID().uuidString),
                                        libraryID: record.$library.id, at: app.clock.now(), on: db)
        }
        return password
    }

    /// What `sip2 account update` may change; nil leaves a setting as it is.
    struct Changes {
        var allowedAddresses: String?
        var encoding: String?
        var personalData: Bool?
        var alternateIDs: Bool?
        var errorDetection: Bool?
    }

    /// Checks every change first, then applies them together; returns the settings that changed, with
    /// their new values (also written to the audit trail). `allowedAddresses` "any" (or empty) allows
    /// every address.
    static func update(user: String?, _ changes: Changes, app: Application) async throws -> [String: String] {
        let trimmed = changes.allowedAddresses?.trimmingCharacters(in: .whitespaces)
        let allowed = trimmed?.lowercased() == "any" ? "" : trimmed
        if let allowed { try checkAllowedAddresses(allowed) }
        if let encoding = changes.encoding { try checkEncoding(encoding) }
        guard allowed != nil || changes.encoding != nil || changes.personalData != nil || changes.alternateIDs != nil
                || changes.errorDetection != nil else {
            throw CommandInputError(description: "nothing to change: give --allow, --encoding, --[no-]personal-data, --[no-]alternate-ids or --[no-]error-detection")
        }
        return try await app.db.transaction { db in
            let record = try await require(user: user, on: db)
            var changed: [String: String] = [:]
            if let allowed, allowed != record.allowedAddresses {
                record.allowedAddresses = allowed
                changed["allow"] = allowed.isEmpty ? "any" : allowed
            }
            if let encoding = changes.encoding, encoding != record.encoding {
                record.encoding = encoding
                changed["encoding"] = encoding
            }
            if let value = changes.personalData, value != record.mayReadPersonalData {
                record.mayReadPersonalData = value
                changed["personal-data"] = String(value)
            }
            if let value = changes.alternateIDs, value != record.acceptsAlternateIdentifiers {
                record.acceptsAlternateIdentifiers = value
                changed["alternate-ids"] = String(value)
            }
            if let value = changes.errorDetection, value != record.errorDetection {
                record.errorDetection = value
                changed["error-detection"] = String(value)
            }
            guard !changed.isEmpty else { return changed }
            try await record.save(on: db)
            try await AuditTrail.record("sip2_account.updated", by: .system("cli"),
                                        subject: ("sip2_account", try record.requireID().uuidString),
                                        libraryID: record.$library.id, details: changed, at: app.clock.now(), on: db)
            return changed
        }
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
