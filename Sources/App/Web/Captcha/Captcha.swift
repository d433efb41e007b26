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

    /// A new challenge for this session; the answer replaces any earlier one.
    static func issue(for request: Request) -> String {
        let answer = request.application.settings.captchaTestAnswer
            ?? String((0..<5).map { _ in Character(String(Int.random(in: 0...9))) })
        request.session.data[sessionAnswerKey] = hash(answer, request: request)
        request.session.data[sessionExpiryKey] = String(Int(request.now.timeIntervalSince1970 + lifetime))
        return answer
    }

    /// Checks and consumes the session's challenge: a second try needs a new image.
    static func verify(_ typed: String, for request: Request) -> Outcome {
        guard request.hasSession, let expected = request.session.data[sessionAnswerKey],
              let expiry = request.session.data[sessionExpiryKey].flatMap(Double.init)
        else { return .expired }
        request.session.data[sessionAnswerKey] = nil
        request.session.data[sessionExpiryKey] = nil
        guard request.now.timeIntervalSince1970 <= expiry else { return .expired }
        let normalized = typed.precomposedStringWithCompatibilityMapping.filter { !$0.isWhitespace }
        return CSRFMiddleware.constantTimeEqual(hash(normalized, request: request), expected) ? .correct : .wrong
    }

    private static func hash(_ answer: String, request: Request) -> String {
        // Keyed with the session's CSRF token, so a hash copied from one session is no use in another.
        let key = SymmetricKey(data: Data(request.csrfToken.utf8))
        return Data(HMAC<SHA256>.authenticationCode(for: Data(answer.utf8), using: key)).base64EncodedString()
    }
}
