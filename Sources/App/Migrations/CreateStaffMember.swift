import Fluent

struct CreateStaffMember: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(StaffMember.schema)
            .id()
            .field("library_id", .uuid, .required, .references(Library.schema, .id))
            .field("email", .string, .required)
            .field("role", .string, .required)
            .field("password_hash", .string)
            .field("password_token_hash", .string)
            .field("password_token_expires_at", .datetime)
            .field("last_sign_in_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "email")
            .unique(on: "password_token_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(StaffMember.schema).delete()
    }
}
