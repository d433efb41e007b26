import Fluent
import Vapor

/// Staff passwords: 12 to 128 characters (they guard other people's data), not the email address.
enum StaffPasswordRule {
    /// Field → localization key of a refused password.
    struct Rejected: Error, Equatable {
        let errors: [String: String]
    }

    static func problem(with password: String, email: String) -> String? {
        if password.count < 12 { return "staff.password.too_short" }
        if password.count > 128 { return "staff.password.too_long" }
        if password.lowercased() == email.lowercased() { return "staff.password.equals_email" }
        return nil
    }

    /// Throws `Rejected` unless the password passes the rule and matches its confirmation.
    static func check(_ password: String, confirmation: String, email: String) throws {
        if let problem = problem(with: password, email: email) {
            throw Rejected(errors: ["password": problem])
        }
        if password != confirmation {
            throw Rejected(errors: ["passwordConfirmation": "staff.password.mismatch"])
        }
    }
}
