import Fluent

struct CreateOfficialCalendarDay: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(OfficialCalendarDay.schema)
            .id()
            .field("day", .string, .required)
            .field("is_day_off", .bool, .required)
            .field("note", .string, .required)
            .unique(on: "day")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OfficialCalendarDay.schema).delete()
    }
}
