import Fluent
import Foundation
import OneCardDomain
import SQLKit

enum DeskError: UserFacingError, Equatable {
    case documentNotChecked
    case easyCardInvalid
    case easyCardTaken
    case notPending
    case notDigital
    // A card's standing (有效期限, 停權, 復權).
    case validUntilInvalid
    case validUntilPast
    case validUntilNoSuchDay
    case suspensionReasonRequired
    case suspensionReasonInvalid
    case notActive
    case alreadySuspended
    case notSuspended
    /// A partner library's staff may see a linked patron but not change their record (`PatronAuthority`).
    case notHomeLibrary

    /// The domain's field errors of the desk's forms (each of them reports one field).
    init(_ errors: FieldErrors) {
        switch errors.errors.first?.code {
        case "valid_until_past": self = .validUntilPast
        case "valid_until_no_such_day": self = .validUntilNoSuchDay
        case "suspension_reason_required": self = .suspensionReasonRequired
        case "suspension_reason_invalid": self = .suspensionReasonInvalid
        default: self = .validUntilInvalid
        }
    }

    /// The form field the message belongs beside, when there is one.
    var field: String? {
        switch self {
        case .easyCardInvalid, .easyCardTaken: "easyCard"
        case .validUntilInvalid, .validUntilPast, .validUntilNoSuchDay: "validUntil"
        case .suspensionReasonRequired, .suspensionReasonInvalid: "reason"
        default: nil
        }
    }

    var code: String {
        switch self {
        case .documentNotChecked: "document_not_checked"
        case .easyCardInvalid: "easy_card_invalid"
        case .easyCardTaken: "easy_card_taken"
        case .notPending: "not_pending"
        case .notDigital: "not_digital"
        case .validUntilInvalid: "valid_until_invalid"
        case .validUntilPast: "valid_until_past"
        case .validUntilNoSuchDay: "valid_until_no_such_day"
        case .suspensionReasonRequired: "suspension_reason_required"
        case .suspensionReasonInvalid: "suspension_reason_invalid"
        case .notActive: "not_active"
        case .alreadySuspended: "already_suspended"
        case .notSuspended: "not_suspended"
        case .notHomeLibrary: "not_home_library"
        }
    }

    var messageKey: String { "desk.error.\(code)" }
}
