import Fluent
import OneCardDomain

enum PasswordResetError: UserFacingError {
    case invalidOrExpired
    var code: String { "reset_link_invalid" }
    var messageKey: String { "reader.reset.link_invalid" }
}
