/// Refusals of the staff accounts page (issue #14 item 6).
enum StaffAdministrationError: UserFacingError, Equatable {
    /// An administrator cannot change their own role, disable themselves or reset their own second factor
    /// from the page: another administrator does it, so nobody removes their last admin rights by accident.
    case ownAccount
    /// The account is not of the administrator's library (a consortium administrator acts on all).
    case outsideLibrary
    /// A library administrator cannot give the consortium administrator role.
    case roleNotAllowed
    case invalidEmail
    case emailTaken

    var code: String {
        switch self {
        case .ownAccount: "own_account"
        case .outsideLibrary: "outside_library"
        case .roleNotAllowed: "role_not_allowed"
        case .invalidEmail: "invalid_email"
        case .emailTaken: "email_taken"
        }
    }

    var messageKey: String { "staff.accounts.error.\(code)" }
}
