import Fluent

enum StaffPasswordLinkError: UserFacingError {
    case invalidOrExpired
    var code: String { "password_link_invalid" }
    var messageKey: String { "staff.password.link_invalid" }
}
