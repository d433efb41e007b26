
/// Errors of the foundation itself; each flow adds its own `UserFacingError` types.
public enum OneCardError: UserFacingError, Equatable {
    case csrfTokenInvalid
    case staffSignInRequired
    case staffRoleRequired
    case notFound

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
