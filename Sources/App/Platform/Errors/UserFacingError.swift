/// An error whose message the person on the other end should read, in their language. It says nothing
/// of HTTP: `HTTPErrorMapping` (Web/Errors) gives each one its status, in one place, so a service can be
/// used from a command, a SIP2 session or a test as well as from a route.
public protocol UserFacingError: Error {
    /// A stable machine-readable word, used as `code` in JSON errors.
    var code: String { get }
    /// The key of the user-facing message in the localization files.
    var messageKey: String { get }
    /// Values for the message's `{placeholders}` (e.g. the size limit a refused upload crossed).
    var messageValues: [String: String] { get }
}

extension UserFacingError {
    public var messageValues: [String: String] { [:] }
}
