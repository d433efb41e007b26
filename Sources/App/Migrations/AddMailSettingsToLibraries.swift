import Fluent

/// Each library's own sender and branch page (issue #17 item 5): emails go out in the library's name,
/// from its address and with its Reply-To when set (`onecard library set-mail`), else from the configured
/// `ONECARD_MAIL_FROM` address; the application email links to its branch list with opening hours. Taipei's
/// page is known (https://tpml.gov.taipei/, where 各館資訊 lists every branch and its hours); the others are
/// set with the same command, and until then the email names the library's service desks instead.
/// One column per statement, since SQLite alters a table one column at a time.
struct AddMailSettingsToLibraries: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(LibraryMailSettings.schema).field("mail_from", .string).update()
        try await database.schema(Library.schema).field("mail_reply_to", .string).update()
        try await database.schema(Library.schema).field("branches_url", .string).update()
        if let taipei = try await Library.query(on: database).filter(\.$code == "TPML").field(\.$id).first() {
            try await LibraryMailSettings.query(on: database).filter(\.$id == taipei.requireID())
                .set(\.$branchesURL, to: "https://tpml.gov.taipei/").update()
        }
    }

    func revert(on database: any Database) async throws {
        for field: FieldKey in ["branches_url", "mail_reply_to", "mail_from"] {
            try await database.schema(Library.schema).deleteField(field).update()
        }
    }
}
