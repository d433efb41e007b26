import Fluent
import Foundation
import PersonalDataVault
import Vapor

/// EZproxy hosts as an administrator manages them (`onecard ezproxy host add|list|remove`).
enum EZproxyHosts {
    static let secretContext = "ezproxy_host.secret"

    struct Listed: Codable, Equatable {
        let name: String
        let library: String
        let loginURL: String
        let algorithm: String
    }

    /// What `add` hands the administrator, once: the host and the user.txt lines to paste into EZproxy.
    struct Added {
        let host: Listed
        let secret: String
        let userText: String
    }

    /// Adds a host with a new generated secret (sealed at rest) and returns it with the user.txt lines.
    /// `allowsPlainHTTP` outside production, for a test EZproxy on this machine.
    static func add(name: String, libraryCode: String, loginURL: String, algorithm: String, signInURL: (String) -> String,
                    allowsPlainHTTP: Bool, database: any Database, vault: PersonalDataVault, now: Date) async throws -> Added {
        let name = name.lowercased()
        guard !name.isEmpty, name.count <= 40, name.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }) else {
            throw CommandInputError(description: "--name must be 1–40 lower-case letters, digits or '-' (it becomes part of the login address)")
        }
        guard let algorithm = EZproxyTicket.Algorithm(rawValue: algorithm.lowercased()) else {
            throw CommandInputError(description: "--algorithm must be one of \(EZproxyTicket.Algorithm.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let parsed = URL(string: loginURL), let scheme = parsed.scheme?.lowercased(), parsed.host?.isEmpty == false,
              parsed.query == nil, scheme == "https" || (scheme == "http" && allowsPlainHTTP)
        else { throw CommandInputError(description: "--url must be EZproxy's https:// address, e.g. https://ezproxy.example.org (http:// only outside production)") }
        let library = try await Library.require(code: libraryCode, on: database)
        guard try await EZproxyHost.query(on: database).filter(\.$name == name).count() == 0 else {
            throw CommandInputError(description: "an EZproxy host named \(name) exists already (remove it first to replace it)")
        }
        let secret = OneTimeToken.make().token
        let host = EZproxyHost(name: name, libraryID: try library.requireID(), loginURL: loginURL, algorithm: algorithm.rawValue,
                               secretSealed: try vault.seal(secret, context: secretContext), createdAt: now)
        try await database.transaction { db in
            try await host.create(on: db)
            try await AuditTrail.record("ezproxy_host.added", by: .system("cli"), subject: ("ezproxy_host", name), libraryID: library.id,
                                        details: ["url": loginURL, "algorithm": algorithm.rawValue], at: now, on: db)
        }
        let groups = try await EZproxyGroups.possible(forLibrary: library.requireID(), on: database)
        let userText = """
            ::CGI=\(signInURL(name))?url=^U
            ::Ticket
            AcceptGroups \(groups.joined(separator: "+"))
            TimeValid \(EZproxyLogin.ticketMinutes)
            \(algorithm.directive) \(secret)
            Expired; Deny expired.html
            /Ticket
            """
        return Added(host: Listed(name: name, library: library.code, loginURL: loginURL, algorithm: algorithm.rawValue),
                     secret: secret, userText: userText)
    }

    static func list(database: any Database) async throws -> [Listed] {
        try await EZproxyHost.query(on: database).with(\.$library).sort(\.$name).all().map {
            Listed(name: $0.name, library: $0.library.code, loginURL: $0.loginURL, algorithm: $0.algorithm)
        }
    }

    /// Removes a host: its login address answers 404 from now on and its secret is gone.
    static func remove(name: String, database: any Database, now: Date) async throws {
        guard let host = try await EZproxyHost.query(on: database).filter(\.$name == name.lowercased()).first() else {
            throw CommandInputError(description: "no EZproxy host named \(name) (see `onecard ezproxy host list`)")
        }
        try await database.transaction { db in
            try await host.delete(on: db)
            try await AuditTrail.record("ezproxy_host.removed", by: .system("cli"), subject: ("ezproxy_host", host.name),
                                        libraryID: host.$library.id, at: now, on: db)
        }
    }
}
