import Fluent
import Foundation
import Vapor

/// API clients (kiosks, partner systems) as `onecard api-client create` makes them.
enum APIClients {
    /// Creates a client of the library and returns its bearer token: the only time it is shown.
    static func create(name: String, libraryCode: String, database: any Database, now: Date) async throws -> String {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw CommandInputError(description: "--name is required") }
        let library = try await Library.require(code: libraryCode, on: database)
        let (token, hash) = OneTimeToken.make()
        try await database.transaction { db in
            let client = APIClient(name: name, libraryID: try library.requireID(), tokenHash: hash, createdAt: now)
            try await client.create(on: db)
            try await AuditTrail.record("api_client.created", by: .system("cli"), subject: ("api_client", client.id!.uuidString),
                                        libraryID: library.id, at: now, on: db)
        }
        return token
    }
}
