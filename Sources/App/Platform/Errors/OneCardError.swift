import Vapor

/// An error whose message the person on the other end should read, in their language.
public protocol LocalizedAbortError: AbortError {
    /// A stable machine-readable word, used as `code` in JSON errors.
    var code: String { get }
    /// The key of the user-facing message in the localization files.
    var messageKey: String { get }
}

extension LocalizedAbortError {
    public var reason: String { code }
}

/// Errors of the foundation itself; each flow adds its own `LocalizedAbortError` types.
public enum OneCardError: LocalizedAbortError, Equatable {
    case csrfTokenInvalid
    case staffSignInRequired
    case staffRoleRequired
    case notFound

    public var status: HTTPResponseStatus {
        switch self {
        case .csrfTokenInvalid, .staffRoleRequired: .forbidden
        case .staffSignInRequired: .unauthorized
        case .notFound: .notFound
        }
    }

    public var code: String {
        switch self {
        case .csrfTokenInvalid: "csrf_token_invalid"
        case .staffSignInRequired: "staff_sign_in_required"
        case .staffRoleRequired: "staff_role_required"
        case .notFound: "not_found"
        }
    }

    public var messageKey: String { "error.\(code)" }
}
