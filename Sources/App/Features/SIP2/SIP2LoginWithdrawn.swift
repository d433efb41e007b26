import Foundation

/// Thrown for a connection whose login no longer stands: its account was disabled, the client's address
/// was taken off the account's list, or the password it logged in with was changed, after it logged in.
/// The SIP2 server closes the connection instead of answering; the client must log in again, and that
/// login is checked as any other is.
struct SIP2LoginWithdrawn: Error, CustomStringConvertible {
    enum Reason: String {
        case disabled
        case addressNotAllowed = "address_not_allowed"
        case passwordChanged = "password_changed"
    }

    let account: String
    let reason: Reason
    var description: String { "SIP2 account \(account): the login no longer stands (\(reason.rawValue))" }
}
