import Foundation

/// The user name and password OneCard signs in to its mail relay with. The password never reaches a log,
/// an error or a stored message: every way of printing this value withholds it.
public struct SMTPCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    public var description: String { "SMTPCredentials(username: \(username), password: withheld)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["username": username, "password": "withheld"]) }

    /// The forms in which the password could come back in a relay's reply: as typed, and base64-encoded
    /// as AUTH PLAIN and AUTH LOGIN send it.
    var secretForms: [String] {
        [
            password,
            Data(password.utf8).base64EncodedString(),
            Data("\0\(username)\0\(password)".utf8).base64EncodedString(),
        ]
    }
}
