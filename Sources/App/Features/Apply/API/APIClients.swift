import Fluent
import Foundation
import Vapor

/// API clients (kiosks, partner systems, e-resource vendors) as `onecard api-client` manages them.
enum APIClients {
    /// One client as `api-client list` shows it: never its token or the token's hash.
    struct Listed: Codable, Equatable {
        let id: String
        let name: String
        let library: String
        let scopes: [String]
        let alternateIdentifiers: Bool
        let revoked: Bool
    }

    /// Creates a client of the library with the given scopes and returns its bearer token: the only time it
    /// is shown. At least one scope: a token that may do nothing is a mistake, not a client.
    /// `allowedAddresses` as `AddressRule.normalizedList` reads it; empty (or "any") allows every address.
    static func create(name: String, libraryCode: String, scopes: Set<APIScope>, alternateIdentifiers: Bool = false,
                       allowedAddresses: String = "", by actor: AuditActor = .system("cli"),
                       database: any Database, now: Date) async throws -> String {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw SystemsError.nameRequired }
        guard !scopes.isEmpty else { throw SystemsError.scopeRequired }
        let allowed = try AddressRule.normalizedList(allowedAddresses)
        let library = try await Library.require(code: libraryCode, on: database)
        let (token, hash) = OneTimeToken.make()
        let client = APIClient(name: name, libraryID: try library.requireID(), tokenHash: hash, scopes: scopes,
                               acceptsAlternateIdentifiers: alternateIdentifiers, createdAt: now)
        client.allowedAddresses = allowed
        try await database.transaction { db in
            try await client.create(on: db)
            try await AuditTrail.record("api_client.created", by: actor, subject: ("api_client", client.id!.uuidString),
                                        libraryID: library.id,
                                        details: ["name": name, "scopes": client.scopesText,
                                                  "alternateIdentifiers": alternateIdentifiers ? "yes" : "no",
                                                  "allow": allowed.isEmpty ? "any" : allowed],
                                        at: now, on: db)
        }
        return token
    }

    /// Changes a client's scopes, whether it may name card holders by ID or EasyCard number, and the addresses
    /// it may call from; audited. Applies from the client's next request (the token is looked up on each one).
    static func update(id: String, scopes: Set<APIScope>?, alternateIdentifiers: Bool?, allowedAddresses: String? = nil,
                       by actor: AuditActor = .system("cli"), database: any Database, now: Date) async throws {
        let client = try await find(id, on: database)
        if let scopes {
            guard !scopes.isEmpty else { throw SystemsError.scopeRequired }
            client.scopes = scopes
        }
        if let alternateIdentifiers { client.acceptsAlternateIdentifiers = alternateIdentifiers }
        if let allowedAddresses { client.allowedAddresses = try AddressRule.normalizedList(allowedAddresses) }
        try await database.transaction { db in
            try await client.save(on: db)
            try await AuditTrail.record("api_client.updated", by: actor, subject: ("api_client", client.id!.uuidString),
                                        libraryID: client.$library.id,
                                        details: ["scopes": client.scopesText,
                                                  "alternateIdentifiers": client.acceptsAlternateIdentifiers ? "yes" : "no",
                                                  "allow": client.allowedAddresses.isEmpty ? "any" : client.allowedAddresses],
                                        at: now, on: db)
        }
    }

    /// Revokes the client's token: refused from its next request. False when it already was.
    @discardableResult
    static func disable(id: String, by actor: AuditActor = .system("cli"), database: any Database, now: Date) async throws -> Bool {
        let client = try await find(id, on: database)
        guard client.revokedAt == nil else { return false }
        try await database.transaction { db in
            client.revokedAt = now
            try await client.save(on: db)
            try await AuditTrail.record("api_client.disabled", by: actor, subject: ("api_client", client.id!.uuidString),
                                        libraryID: client.$library.id, at: now, on: db)
        }
        return true
    }

    /// A new bearer token for the client, returned once; the old one stops working at once. A disabled client
    /// stays disabled: its new token works only once it is enabled again, which is not offered (make a new one).
    static func rotateToken(id: String, by actor: AuditActor = .system("cli"), database: any Database, now: Date) async throws -> String {
        let client = try await find(id, on: database)
        guard client.revokedAt == nil else { throw SystemsError.notFound }
        let (token, hash) = OneTimeToken.make()
        try await database.transaction { db in
            client.tokenHash = hash
            try await client.save(on: db)
            try await AuditTrail.record("api_client.token_rotated", by: actor, subject: ("api_client", client.id!.uuidString),
                                        libraryID: client.$library.id, at: now, on: db)
        }
        return token
    }

    static func find(_ id: String, on database: any Database) async throws -> APIClient {
        guard let uuid = UUID(uuidString: id), let client = try await APIClient.find(uuid, on: database) else {
            throw CommandInputError(description: "no API client \(id) (see `onecard api-client list`)")
        }
        return client
    }

    static func list(database: any Database) async throws -> [Listed] {
        try await APIClient.query(on: database).with(\.$library).sort(\.$createdAt).all().map {
            Listed(id: $0.id!.uuidString, name: $0.name, library: $0.library.code, scopes: $0.scopes.sorted().map(\.rawValue),
                   alternateIdentifiers: $0.acceptsAlternateIdentifiers, revoked: $0.revokedAt != nil)
        }
    }

    /// `--scope` as typed, or a message naming the choices.
    static func parseScopes(_ text: String) throws -> Set<APIScope> {
        switch APIScope.parseList(text) {
        case .success(let scopes): return scopes
        case .failure(let unknown): throw SystemsError.scopeUnknown(unknown.word)
        }
    }

    static var scopeChoices: String { APIScope.allCases.map(\.rawValue).joined(separator: ", ") }
}
