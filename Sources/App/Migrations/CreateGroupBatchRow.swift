import Fluent
import SQLKit

struct CreateGroupBatchRow: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(GroupBatchRow.schema)
            .field(.id, .int, .identifier(auto: true))
            .field("batch_id", .uuid, .required, .references(GroupBatch.schema, .id, onDelete: .cascade))
            .field("row_number", .int, .required)
            .field("patron_id", .uuid, .required)
            .field("status", .string, .required)
            .field("id_number_sealed", .string)
            .field("id_number_index", .string)
            .field("name", .string)
            .field("gender", .string)
            .field("birth_date", .string)
            .field("role", .string, .required)
            .field("email", .string)
            .field("mobile", .string)
            .field("unit", .string)
            .field("sequence", .string)
            .unique(on: "batch_id", "row_number")
            // The id the patron row will get: one card per staged row, however often an import is re-run.
            .unique(on: "patron_id")
            .create()
        if let sql = database as? any SQLDatabase {
            // The import reads a batch's rows by id, after the last one done (status is not in it, so
            // marking rows imported leaves this index alone).
            try await sql.create(index: "group_batch_rows_order").on(GroupBatchRow.schema)
                .column("batch_id").column("id").run()
            try await sql.create(index: "group_batch_rows_person").on(GroupBatchRow.schema)
                .column("id_number_index").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(GroupBatchRow.schema).delete()
    }
}
