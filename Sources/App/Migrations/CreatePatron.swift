import Fluent

struct CreatePatron: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Patron.schema)
            .id()
            .field("library_id", .uuid, .required, .references(Library.schema, .id))
            .field("status", .string, .required)
            .field("card_type", .string, .required)
            .field("application_number", .string, .required)
            .field("card_number", .string)
            .field("document_kind", .string)
            .field("id_number_sealed", .string)
            .field("id_number_index", .string)
            .field("passport_country", .string)
            .field("name", .string, .required)
            .field("gender", .string)
            .field("birth_date", .string)
            .field("password_hash", .string)
            .field("mobile", .string)
            .field("home_phone", .string)
            .field("email", .string)
            .field("household_sealed", .string)
            .field("easy_card_sealed", .string)
            .field("easy_card_index", .string)
            .field("locale", .string, .required)
            .field("applied_at", .datetime, .required)
            .field("activated_at", .datetime)
            .field("activated_by", .uuid)
            // One person, one row in the whole consortium: the database decides races.
            .unique(on: "id_number_index", name: "patrons_one_per_person")
            .unique(on: "application_number")
            .unique(on: "card_number")
            .unique(on: "easy_card_index")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Patron.schema).delete()
    }
}
