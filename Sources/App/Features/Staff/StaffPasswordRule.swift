import Fluent
import Vapor

/// Staff passwords: 12 to 128 characters (they guard other people's data), not the email address.
enum StaffPasswordRule {
    static func problem(with password: String, email: String) -> String? {
        if password.count < 12 { return "staff.password.too_short" }
        if password.count > 128 { return "staff.password.too_long" }
        if password.lowercased() == email.lowercased() { return "staff.password.equals_email" }
        return nil
    }

    /// Throws `NewPasswordRejected` unless the password passes the rule and matches its confirmation.
    static func check(_ password: String, confirmation: String, email: String) throws {
        if let problem = problem(with: password, email: email) {
            throw NewPasswordRejected(messageKeys: ["password": problem])
        }
        if password != confirmation {
            throw NewPasswordRejected(messageKeys: ["passwordConfirmation": "staff.password.mismatch"])
        }
    }
}
