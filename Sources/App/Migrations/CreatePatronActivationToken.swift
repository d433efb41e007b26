import Fluent

struct CreatePatronActivationToken: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await PatronLinkTokenTable.create(PatronActivationToken.schema, on: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PatronActivationToken.schema).delete()
    }
}
