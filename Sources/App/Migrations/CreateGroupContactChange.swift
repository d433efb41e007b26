import Fluent

struct CreateGroupContactChange: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(GroupContactChange.schema)
            .id()
            .field("application_id", .uuid, .required, .references(GroupApplicationRecord.schema, .id, onDelete: .cascade))
            .field("previous_name", .string, .required)
            .field("previous_title", .string, .required)
            .field("previous_phone", .string, .required)
            .field("previous_email", .string, .required)
            .field("new_name", .string, .required)
            .field("new_title", .string, .required)
            .field("new_phone", .string, .required)
            .field("new_email", .string, .required)
            .field("note", .string, .required)
            .field("changed_at", .datetime, .required)
            .field("changed_by", .uuid, .required, .references(StaffMember.schema, .id))
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(GroupContactChange.schema).delete()
    }
}
