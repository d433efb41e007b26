import Vapor

/// Requests refused for their form rather than their content: too large a body, a format the route does
/// not read, a method the path does not answer. `HTTPErrorMapping` gives each its status.
enum RequestRefusal: UserFacingError, Equatable {
    /// The body is larger than the route accepts (refused before it is read, or as soon as it crosses).
    case bodyTooLarge(BodyLimit)
    /// This session may not send this form (its `BodyGate` said no): refused before the body is read.
    case formNotExpected
    /// The JSON API reads `application/json` only.
    case jsonRequired
    /// The path exists, but not with this method; `allowed` are the methods it answers.
    case methodNotAllowed(allowed: [HTTPMethod])

    var code: String {
        switch self {
        case .bodyTooLarge: "payload_too_large"
        case .formNotExpected: "form_not_expected"
        case .jsonRequired: "unsupported_media_type"
        case .methodNotAllowed: "method_not_allowed"
        }
    }

    var messageKey: String {
        switch self {
        case .bodyTooLarge: "error.payload_too_large.limit"
        case .formNotExpected: "error.form_not_expected"
        case .jsonRequired: "error.json_required"
        case .methodNotAllowed: "error.method_not_allowed"
        }
    }

    var messageValues: [String: String] {
        switch self {
        case .bodyTooLarge(let limit): ["limit": limit.readable]
        default: [:]
        }
    }
}
