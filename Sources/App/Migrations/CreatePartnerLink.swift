import Fluent

struct CreatePartnerLink: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PartnerLink.schema)
            .id()
            .field("patron_id", .uuid, .required, .references(Patron.schema, .id, onDelete: .cascade))
            .field("partner_service_id", .uuid, .required, .references(PartnerService.schema, .id))
            .field("status", .string, .required)
            .field("consent_record_id", .uuid, .required, .references(ConsentRecord.schema, .id))
            .field("created_at", .datetime, .required)
            .field("activated_at", .datetime)
            .unique(on: "patron_id", "partner_service_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PartnerLink.schema).delete()
    }
}
