import Fluent

struct CreateSIP2Account: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(SIP2AccountRecord.schema)
            .id()
            .field("login_user", .string, .required)
            .field("password_hash", .string, .required)
            .field("institution", .string, .required)
            .field("library_id", .uuid, .required, .references(Library.schema, .id))
            .field("error_detection", .bool, .required)
            .field("encoding", .string, .required)
            .field("may_read_personal_data", .bool, .required)
            .field("accepts_alternate_identifiers", .bool, .required)
            .field("allowed_addresses", .string, .required)
            .field("created_at", .datetime, .required)
            .field("disabled_at", .datetime)
            .unique(on: "login_user")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SIP2AccountRecord.schema).delete()
    }
}
