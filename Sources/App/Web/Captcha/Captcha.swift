import Crypto
import Fluent
import Foundation
import SQLKit
import Vapor

/// The 驗證碼 of the application form: a challenge (the picture's five digits, or a question in words for
/// those who cannot see it) kept server-side in `captcha_challenges`, valid five minutes, one try.
///
/// The session holds only the challenge's id. Every concurrent request of one session reads the same
/// session, so "one try" cannot rest on clearing a session value; it rests on deleting the row, and only
/// the request whose DELETE returned the row may compare the answer.
struct Captcha {
    static let sessionIDKey = "captcha_id"
    static let lifetime: TimeInterval = 300

    let database: any Database
    let now: Date

    enum Outcome: Equatable {
        case correct
        case wrong
        /// Used up, expired, swept, or never issued: the person needs a new challenge.
        case expired
    }

    /// Stores a new challenge for `answer` and makes it the session's one; the session's earlier challenge is
    /// deleted, so a session never holds more than one live row.
    func issue(answer: String, in session: inout SessionData, csrfToken: String) async throws {
        let sql = database as! any SQLDatabase
        if let previous = session[Self.sessionIDKey] {
            try await sql.raw("DELETE FROM captcha_challenges WHERE id = \(bind: previous)").run()
        }
        let id = SymmetricKey(size: .bits128).withUnsafeBytes { Data($0).base64URLEncodedString() }
        try await sql.raw("""
            INSERT INTO captcha_challenges (id, answer_hash, expires_at)
            VALUES (\(bind: id), \(bind: Self.hash(Self.normalized(answer), csrfToken: csrfToken)), \(bind: Int64(now.timeIntervalSince1970 + Self.lifetime)))
            """).run()
        session[Self.sessionIDKey] = id
    }

    /// Consumes the session's challenge and compares `typed` with its answer: a second try needs a new challenge.
    func verify(_ typed: String, in session: inout SessionData, csrfToken: String) async throws -> Outcome {
        guard let id = session[Self.sessionIDKey] else { return .expired }
        session[Self.sessionIDKey] = nil
        let sql = database as! any SQLDatabase
        // One statement takes the row, so of many concurrent tries with the same id only one gets an answer to
        // compare (DELETE … RETURNING: SQLite 3.35+ and PostgreSQL).
        guard let row = try await sql.raw("""
            DELETE FROM captcha_challenges WHERE id = \(bind: id) RETURNING answer_hash, expires_at
            """).first()
        else { return .expired }
        let expected = try row.decode(column: "answer_hash", as: String.self)
        let expiry = try row.decode(column: "expires_at", as: Int64.self)
        guard Int64(now.timeIntervalSince1970) <= expiry else { return .expired }
        return CSRFMiddleware.constantTimeEqual(Self.hash(Self.normalized(typed), csrfToken: csrfToken), expected) ? .correct : .wrong
    }

    /// Removes challenges nobody answered (housekeeping).
    static func deleteExpired(now: Date, on database: any Database) async throws {
        try await (database as! any SQLDatabase).raw("""
            DELETE FROM captcha_challenges WHERE expires_at < \(bind: Int64(now.timeIntervalSince1970))
            """).run()
    }

    /// Full-width digits count as digits; spaces are ignored.
    static func normalized(_ typed: String) -> String {
        typed.precomposedStringWithCompatibilityMapping.filter { !$0.isWhitespace }
    }

    private static func hash(_ answer: String, csrfToken: String) -> String {
        // Keyed with the session's CSRF token, so a hash read from the table is no use in another session.
        let key = SymmetricKey(data: Data(csrfToken.utf8))
        return Data(HMAC<SHA256>.authenticationCode(for: Data(answer.utf8), using: key)).base64EncodedString()
    }
}
