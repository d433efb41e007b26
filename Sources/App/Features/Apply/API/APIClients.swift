import Fluent
import Vapor

enum APIClients {
    static func create(name: String, libraryCode: String, app: Application) async throws -> String {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw CommandInputError(description: "--name is required") }
        let library = try await Library.require(code: libraryCode, on: app.db)
        let (token, hash) = OneTimeToken.make()
        let now = app.clock.now()
        try await app.db.transaction { db in
            let client = APIClient(name: name, libraryID: try library.requireID(), tokenHash: hash, createdAt: now)
            try await client.create(on: db)
            try await AuditTrail.record("api_client.created", by: .system("cli"), subject: ("api_client", client.id!.uuidString),
                                        libraryID: library.id, at: now, on: db)
        }
        return token
    }
}
