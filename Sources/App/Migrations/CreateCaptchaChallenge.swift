import Fluent

/// The application form's captcha challenges, kept server-side so each is used once (#12 item 9): the answer's
/// HMAC (keyed with the session's CSRF token) and when it expires, in Unix seconds so one comparison works on
/// both databases. Only the session knows a row's id.
struct CreateCaptchaChallenge: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("captcha_challenges")
            .field("id", .string, .identifier(auto: false))
            .field("answer_hash", .string, .required)
            .field("expires_at", .int64, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("captcha_challenges").delete()
    }
}
