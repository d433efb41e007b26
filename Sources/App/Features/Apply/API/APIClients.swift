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
    static func create(name: String, libraryCode: String, scopes: Set<APIScope>, alternateIdentifiers: Bool = false,
                       database: any Database, now: Date) async throws -> String {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw CommandInputError(description: "--name is required") }
        guard !scopes.isEmpty else { throw CommandInputError(description: "--scope is required: \(scopeChoices)") }
        let library = try await Library.require(code: libraryCode, on: database)
        let (token, hash) = OneTimeToken.make()
        try await database.transaction { db in
            let client = APIClient(name: name, libraryID: try library.requireID(), tokenHash: hash, scopes: scopes,
                                   acceptsAlternateIdentifiers: alternateIdentifiers, createdAt: now)
            try await client.create(on: db)
            try await AuditTrail.record("api_client.created", by: .system("cli"), subject: ("api_client", client.id!.uuidString),
                                        libraryID: library.id,
                                        details: ["scopes": client.scopesText, "alternateIdentifiers": alternateIdentifiers ? "yes" : "no"],
                                        at: now, on: db)
        }
        return token
    }

    /// Changes a client's scopes and/or whether it may name card holders by ID or EasyCard number; audited.
    /// Applies from the client's next request (the token is looked up on each one).
    static func update(id: String, scopes: Set<APIScope>?, alternateIdentifiers: Bool?, database: any Database, now: Date) async throws {
        guard let uuid = UUID(uuidString: id), let client = try await APIClient.find(uuid, on: database) else {
            throw CommandInputError(description: "no API client \(id) (see `onecard api-client list`)")
        }
        if let scopes {
            guard !scopes.isEmpty else { throw CommandInputError(description: "--scope needs at least one of \(scopeChoices)") }
            client.scopes = scopes
        }
        if let alternateIdentifiers { client.acceptsAlternateIdentifiers = alternateIdentifiers }
        try await database.transaction { db in
            try await client.save(on: db)
            try await AuditTrail.record("api_client.updated", by: .system("cli"), subject: ("api_client", uuid.uuidString),
                                        libraryID: client.$library.id,
                                        details: ["scopes": client.scopesText,
                                                  "alternateIdentifiers": client.acceptsAlternateIdentifiers ? "yes" : "no"],
                                        at: now, on: db)
        }
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
        case .failure(let unknown): throw CommandInputError(description: "--scope: unknown scope '\(unknown.word)'; choose from \(scopeChoices)")
        }
    }

    static var scopeChoices: String { APIScope.allCases.map(\.rawValue).joined(separator: ", ") }
}
