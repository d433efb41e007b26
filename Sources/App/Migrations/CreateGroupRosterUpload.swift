import Fluent

struct CreateGroupRosterUpload: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(GroupRosterUpload.schema)
            .id()
            .field("application_id", .uuid, .required, .references(GroupApplicationRecord.schema, .id, onDelete: .cascade))
            .field("outcome", .string, .required)
            .field("uploaded_at", .datetime, .required)
            .field("format", .string)
            .field("letter_number", .string, .required)
            .field("letter_date", .string, .required)
            .field("row_count", .int, .required)
            .field("error_count", .int, .required)
            .field("errors", .string)
            .field("left_out", .string)
            .field("unreadable_code", .string)
            .field("has_annotated_file", .bool, .required)
            .field("batch_id", .uuid, .references(GroupBatch.schema, .id))
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(GroupRosterUpload.schema).delete()
    }
}
