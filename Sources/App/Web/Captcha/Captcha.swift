import Crypto
import Foundation
import Vapor

/// The 驗證碼 of the application form: five digits drawn into a PNG, valid five minutes, one try,
/// bound to the session (only a hash of the answer is kept there).
struct Captcha {
    static let sessionAnswerKey = "captcha_hash"
    static let sessionExpiryKey = "captcha_expires"
    static let lifetime: TimeInterval = 300

    enum Outcome: Equatable {
        case correct
        case wrong
        case expired
    }

    /// A new challenge in `session`; the answer replaces any earlier one. `testAnswer` (from the settings)
    /// makes the answer known, for tests and the browser tests.
    static func issue(in session: inout SessionData, csrfToken: String, now: Date, testAnswer: String?) -> String {
        let answer = testAnswer ?? String((0..<5).map { _ in Character(String(Int.random(in: 0...9))) })
        session[sessionAnswerKey] = hash(answer, csrfToken: csrfToken)
        session[sessionExpiryKey] = String(Int(now.timeIntervalSince1970 + lifetime))
        return answer
    }

    /// Checks and consumes the session's challenge: a second try needs a new image.
    static func verify(_ typed: String, in session: inout SessionData, csrfToken: String, now: Date) -> Outcome {
        guard let expected = session[sessionAnswerKey], let expiry = session[sessionExpiryKey].flatMap(Double.init)
        else { return .expired }
        session[sessionAnswerKey] = nil
        session[sessionExpiryKey] = nil
        guard now.timeIntervalSince1970 <= expiry else { return .expired }
        let normalized = typed.precomposedStringWithCompatibilityMapping.filter { !$0.isWhitespace }
        return CSRFMiddleware.constantTimeEqual(hash(normalized, csrfToken: csrfToken), expected) ? .correct : .wrong
    }

    private static func hash(_ answer: String, csrfToken: String) -> String {
        // Keyed with the session's CSRF token, so a hash copied from one session is no use in another.
        let key = SymmetricKey(data: Data(csrfToken.utf8))
        return Data(HMAC<SHA256>.authenticationCode(for: Data(answer.utf8), using: key)).base64EncodedString()
    }
}
