import Fluent
import OneCardDomain

enum CardActivationLinkError: UserFacingError {
    case invalidOrExpired
    var code: String { "activation_link_invalid" }
    var messageKey: String { "reader.activate.link_invalid" }
}
