
/// Errors of the foundation itself; each flow adds its own `UserFacingError` types.
public enum OneCardError: UserFacingError, Equatable {
    case csrfTokenInvalid
    case staffSignInRequired
    case staffRoleRequired
    /// The password was right but the second factor is still asked (issue #14 item 6).
    case staffSecondFactorRequired
    case notFound

    public var code: String {
        switch self {
        case .csrfTokenInvalid: "csrf_token_invalid"
        case .staffSignInRequired: "staff_sign_in_required"
        case .staffRoleRequired: "staff_role_required"
        case .staffSecondFactorRequired: "staff_second_factor_required"
        case .notFound: "not_found"
        }
    }

    public var messageKey: String { "error.\(code)" }
}
