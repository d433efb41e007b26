import Fluent
import Foundation
import Vapor

/// SIP2 client accounts (`onecard sip2 account …`): what it receives is all it uses, so the administrators'
/// pages can use it later as the command line does.
struct SIP2Accounts {
    let database: any Database
    let passwords: PasswordHashing
    let clock: OneCardClock

    struct Created {
        let user: String
        let password: String
        let institution: String
    }

    /// `allowedAddresses` "any" (or empty) allows every address; `sip2 account create` passes loopback
    /// when no `--allow` is given.
    func create(user rawUser: String, libraryCode: String, institution: String?, allowedAddresses rawAllowed: String,
                       encoding: String, personalData: Bool, alternateIDs: Bool, errorDetection: Bool,
                       by actor: AuditActor = .system("cli")) async throws -> Created {
        let user = rawUser.trimmingCharacters(in: .whitespaces)
        guard !user.isEmpty, user.count <= 64, !user.contains("|") else { throw SystemsError.userInvalid }
        try Self.checkEncoding(encoding)
        let allowedAddresses = try AddressRule.normalizedList(rawAllowed)
        let library = try await Library.require(code: libraryCode, on: database)
        let institution = institution.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        // SIP2 passwords travel in clear on many installations: long and random, never chosen by people.
        let password = OneTimeToken.make().token
        let record = SIP2AccountRecord()
        record.loginUser = user
        record.passwordHash = try await passwords.hash(password)
        record.institution = institution ?? library.code
        record.$library.id = try library.requireID()
        record.errorDetection = errorDetection
        record.encoding = encoding
        record.mayReadPersonalData = personalData
        record.acceptsAlternateIdentifiers = alternateIDs
        record.allowedAddresses = allowedAddresses
        record.createdAt = clock.now()
        do {
            try await database.transaction { db in
                try await record.create(on: db)
                try await AuditTrail.record("sip2_account.created", by: actor, subject: ("sip2_account", record.id!.uuidString),
                                            libraryID: library.id,
                                            details: ["user": user, "allow": allowedAddresses.isEmpty ? "any" : allowedAddresses,
                                                      "personal-data": String(personalData), "alternate-ids": String(alternateIDs)],
                                            at: record.createdAt, on: db)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw SystemsError.userTaken(user)
        }
        return Created(user: user, password: password, institution: record.institution)
    }

    static let encodings = ["utf8", "latin1", "cp950"]

    static func checkEncoding(_ encoding: String) throws {
        guard encodings.contains(encoding) else { throw SystemsError.encodingInvalid(encoding) }
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

    func list() async throws -> [Summary] {
        try await SIP2AccountRecord.query(on: database).with(\.$library).sort(\.$loginUser).all().map { record in
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
    func setDisabled(_ disabled: Bool, user: String?, by actor: AuditActor = .system("cli")) async throws -> Bool {
        try await database.transaction { db in
            let record = try await Self.require(user: user, on: db)
            guard (record.disabledAt != nil) != disabled else { return false }
            let now = clock.now()
            record.disabledAt = disabled ? now : nil
            try await record.save(on: db)
            try await AuditTrail.record(disabled ? "sip2_account.disabled" : "sip2_account.enabled", by: actor,
                                        subject: ("sip2_account", try record.requireID().uuidString),
                                        libraryID: record.$library.id, at: now, on: db)
            return true
        }
    }

    /// A new generated password for the account, returned once; the old one stops working at once.
    func rotatePassword(user: String?, by actor: AuditActor = .system("cli")) async throws -> String {
        let password = OneTimeToken.make().token
        let hash = try await passwords.hash(password)
        try await database.transaction { db in
            let record = try await Self.require(user: user, on: db)
            record.passwordHash = hash
            try await record.save(on: db)
            try await AuditTrail.record("sip2_account.password_rotated", by: actor,
                                        subject: ("sip2_account", try record.requireID().uuidString),
                                        libraryID: record.$library.id, at: clock.now(), on: db)
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
    func update(user: String?, _ changes: Changes, by actor: AuditActor = .system("cli")) async throws -> [String: String] {
        let allowed = try changes.allowedAddresses.map(AddressRule.normalizedList)
        if let encoding = changes.encoding { try Self.checkEncoding(encoding) }
        guard allowed != nil || changes.encoding != nil || changes.personalData != nil || changes.alternateIDs != nil
                || changes.errorDetection != nil else {
            throw CommandInputError(description: "nothing to change: give --allow, --encoding, --[no-]personal-data, --[no-]alternate-ids or --[no-]error-detection")
        }
        return try await database.transaction { db in
            let record = try await Self.require(user: user, on: db)
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
            try await AuditTrail.record("sip2_account.updated", by: actor,
                                        subject: ("sip2_account", try record.requireID().uuidString),
                                        libraryID: record.$library.id, details: changed, at: clock.now(), on: db)
            return changed
        }
    }
}
