import Fluent

struct CreateStaffRecoveryCode: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(StaffRecoveryCode.schema)
            .id()
            .field("staff_member_id", .uuid, .required, .references(StaffMember.schema, .id, onDelete: .cascade))
            .field("code_hash", .string, .required)
            .field("used_at", .datetime)
            .unique(on: "staff_member_id", "code_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(StaffRecoveryCode.schema).delete()
    }
}
