/// Refusals of the second factor step.
enum StaffSecondFactorError: UserFacingError, Equatable {
    /// A wrong, reused or expired code, or a used recovery code; also the answer while the step is locked,
    /// so the lock is not told apart from a wrong code (as at the password step).
    case wrongCode
    /// An administrator tried to reset their own second factor: that is done by another administrator.
    case ownAccount

    var code: String {
        switch self {
        case .wrongCode: "second_factor_wrong_code"
        case .ownAccount: "second_factor_own_account"
        }
    }

    var messageKey: String { "staff.second_factor.error.\(code)" }
}
