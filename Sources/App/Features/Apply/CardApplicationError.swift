import Fluent
import Foundation
import OneCardDomain
import PersonalDataVault

/// Errors of the online application that the applicant reads.
enum CardApplicationError: UserFacingError, Equatable {
    case alreadyRegistered
    case tooManyAttempts
    case invalid([FieldError])

    var code: String {
        switch self {
        case .alreadyRegistered: "already_registered"
        case .tooManyAttempts: "too_many_requests"
        case .invalid: "invalid"
        }
    }

    var messageKey: String {
        switch self {
        case .alreadyRegistered: "apply.already_registered"
        case .tooManyAttempts: "error.too_many_requests"
        case .invalid: "error.unprocessable"
        }
    }
}
