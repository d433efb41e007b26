import Fluent

/// Consents given on a person's behalf by a signed statement (a group application's 個人資料授權同意聲明書)
/// point at that statement.
struct AddEvidenceToConsentRecord: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ConsentRecord.schema)
            .field("evidence_document_id", .uuid)
            .update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ConsentRecord.schema).deleteField("evidence_document_id").update()
    }
}
