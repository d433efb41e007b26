import Fluent
import Foundation
import OneCardDomain
import SQLKit
import UploadInspection

/// Errors of the group application (集體辦證) that the organization's contact or a reviewer reads.
enum GroupApplicationError: UserFacingError, Equatable {
    case invalid([FieldError])
    case tooManyAttempts
    /// The organization's reader data file uploads (or rows checked) are used up until `retryAt`.
    case uploadLimitReached(retryAt: Date)
    case notAwaitingDecision
    case contactSignInRequired
    case contactLinkInvalid

    var code: String {
        switch self {
        case .invalid: "invalid"
        case .tooManyAttempts: "too_many_requests"
        case .uploadLimitReached: "upload_limit_reached"
        case .notAwaitingDecision: "not_awaiting_decision"
        case .contactSignInRequired: "group_contact_sign_in_required"
        case .contactLinkInvalid: "group_contact_link_invalid"
        }
    }

    var messageKey: String {
        switch self {
        case .invalid: "error.unprocessable"
        case .tooManyAttempts: "error.too_many_requests"
        case .uploadLimitReached: "group.error.upload_limit_reached"
        case .notAwaitingDecision: "group.error.not_awaiting_decision"
        case .contactSignInRequired: "group.error.contact_sign_in_required"
        case .contactLinkInvalid: "group.error.contact_link_invalid"
        }
    }
}
