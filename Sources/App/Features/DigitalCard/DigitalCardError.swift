import CitizenCertificate
import Fluent
import Foundation
import OneCardDomain
import UploadInspection

/// What the digital card applicant reads when something stops the application.
enum DigitalCardError: UserFacingError, Equatable {
    case foreignResident
    case alreadyHoldsCard
    case invalid([FieldError])
    case tooManyAttempts
    case certificateUnavailable
    case certificate(code: String)
    case correctionLinkInvalid
    case notSubmitted

    var code: String {
        switch self {
        case .foreignResident: "digital_national_only"
        case .alreadyHoldsCard: "already_holds_card"
        case .invalid: "invalid"
        case .tooManyAttempts: "too_many_requests"
        case .certificateUnavailable: "certificate_unavailable"
        case .certificate(let code): code
        case .correctionLinkInvalid: "correction_link_invalid"
        case .notSubmitted: "not_submitted"
        }
    }

    var messageKey: String {
        switch self {
        case .invalid: "error.unprocessable"
        case .tooManyAttempts: "error.too_many_requests"
        default: "digital.error.\(code)"
        }
    }
}
