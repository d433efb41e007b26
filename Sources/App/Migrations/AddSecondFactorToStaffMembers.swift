import Fluent

/// Staff accounts can be disabled, and carry their TOTP second factor (issue #14 item 6).
/// One column per statement: SQLite adds one column per `ALTER TABLE`.
struct AddSecondFactorToStaffMembers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(StaffMember.schema).field("disabled_at", .datetime).update()
        try await database.schema(StaffMember.schema).field("totp_secret_sealed", .string).update()
        try await database.schema(StaffMember.schema).field("totp_confirmed_at", .datetime).update()
        try await database.schema(StaffMember.schema).field("totp_last_step", .int64).update()
    }

    func revert(on database: any Database) async throws {
        for field: FieldKey in ["totp_last_step", "totp_confirmed_at", "totp_secret_sealed", "disabled_at"] {
            try await database.schema(StaffMember.schema).deleteField(field).update()
        }
    }
}
