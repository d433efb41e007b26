import Fluent

struct CreateLibraryClosedDay: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(LibraryClosedDay.schema)
            .id()
            .field("library_id", .uuid, .required, .references(Library.schema, .id, onDelete: .cascade))
            .field("day", .string, .required)
            .field("reason", .string, .required)
            .unique(on: "library_id", "day")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(LibraryClosedDay.schema).delete()
    }
}
