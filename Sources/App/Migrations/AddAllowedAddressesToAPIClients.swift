import Fluent

/// API clients may be bound to the addresses they call from, as SIP2 accounts are (issue #14 item 6).
/// Existing clients get the empty list, which allows every address: nothing in service stops on upgrade.
struct AddAllowedAddressesToAPIClients: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(APIClient.schema).field("allowed_addresses", .string, .required, .sql(.default(""))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(APIClient.schema).deleteField("allowed_addresses").update()
    }
}
