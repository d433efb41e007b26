import Vapor

/// The one place where the errors of services and the domain become HTTP: their status and headers.
/// Services throw plain `UserFacingError`s that know nothing of HTTP; `ErrorPageMiddleware` renders them
/// (a page, or JSON under `/api`), and a controller that shows an error inside its own form asks here for
/// the status to send with it.
enum HTTPErrorMapping {
    static func status(for error: any UserFacingError) -> HTTPResponseStatus {
        switch error {
        case let error as OneCardError:
            switch error {
            case .csrfTokenInvalid, .staffRoleRequired: .forbidden
            case .staffSignInRequired, .staffSecondFactorRequired: .unauthorized
            case .notFound: .notFound
            }
        case is APIAuthError:
            .unauthorized
        case is APIScopeError:
            .forbidden
        case is APIAddressError:
            .forbidden
        case let error as SystemsError:
            error == .notFound ? .notFound : .unprocessableEntity
        case is EZproxyError:
            .forbidden
        case let error as PatronAuthenticationError:
            switch error {
            case .invalidCredentials: .unauthorized
            case .cardSuspended, .cardExpired: .forbidden
            case .locked, .rateLimited: .tooManyRequests
            }
        case let error as RequestRefusal:
            switch error {
            case .bodyTooLarge: .payloadTooLarge
            case .formNotExpected: .forbidden
            case .jsonRequired: .unsupportedMediaType
            case .methodNotAllowed: .methodNotAllowed
            }
        case let error as CardApplicationError:
            switch error {
            case .alreadyRegistered: .conflict
            case .tooManyAttempts: .tooManyRequests
            case .invalid: .unprocessableEntity
            }
        case let error as DeskError:
            switch error {
            case .documentNotChecked, .easyCardInvalid, .validUntilInvalid, .validUntilPast, .validUntilNoSuchDay, .suspensionReasonRequired,
                 .suspensionReasonInvalid: .unprocessableEntity
            case .easyCardTaken, .notPending, .notDigital, .notActive, .alreadySuspended, .notSuspended: .conflict
            case .notHomeLibrary: .forbidden
            }
        case let error as DigitalCardError:
            switch error {
            case .foreignResident, .alreadyHoldsCard, .notSubmitted: .conflict
            case .invalid, .certificate: .unprocessableEntity
            case .tooManyAttempts: .tooManyRequests
            case .certificateUnavailable: .serviceUnavailable
            case .correctionLinkInvalid: .gone
            }
        case is AddressLimitError:
            .tooManyRequests
        // The server's own capacity, not the client's fault: 503, and `Retry-After` says when to come back.
        case is PasswordHashingBusy:
            .serviceUnavailable
        // RFC 6749 §5.2 and RFC 6750 §3.1: a client or token that did not authenticate is 401, the rest 400.
        case let error as OIDCProtocolError:
            error.code == "invalid_client" || error.code == "invalid_token" ? .unauthorized : .badRequest
        case is LibraryCalendarError:
            .unprocessableEntity
        case is LibraryAdministrationError, is ReportRangeError:
            .unprocessableEntity
        case let error as GroupApplicationError:
            switch error {
            case .invalid: .unprocessableEntity
            case .tooManyAttempts, .uploadLimitReached: .tooManyRequests
            case .notAwaitingDecision: .conflict
            case .contactSignInRequired: .unauthorized
            case .contactLinkInvalid: .gone
            }
        case let error as SealedFileError:
            error == .gone ? .gone : .internalServerError
        case let error as PatronRequestError:
            error == .decisionMissing ? .badRequest : .unprocessableEntity
        case let error as PartnerServiceError:
            error == .notOffered ? .notFound : .conflict
        // A published consent version never changes: editing or publishing it again is a conflict.
        case let error as ConsentDocumentError:
            switch error {
            case .notFound, .noDraft: .notFound
            case .notYours: .forbidden
            case .published: .conflict
            case .textRequired, .effectiveDateInvalid, .effectiveDatePast: .unprocessableEntity
            }
        // A one-time link that was used, replaced or has run out is gone, not "not found": it did exist.
        case is PasswordResetError, is CardActivationLinkError, is StaffPasswordLinkError:
            .gone
        case let error as StaffSecondFactorError:
            error == .wrongCode ? .unauthorized : .conflict
        case let error as StaffAdministrationError:
            switch error {
            case .ownAccount: .conflict
            case .outsideLibrary: .notFound
            case .roleNotAllowed: .forbidden
            case .invalidEmail, .emailTaken: .unprocessableEntity
            }
        default:
            .badRequest
        }
    }

    static func headers(for error: any UserFacingError) -> HTTPHeaders {
        switch error {
        case is APIAuthError: ["WWW-Authenticate": "Bearer"]
        case let error as APIScopeError: ["WWW-Authenticate": "Bearer error=\"insufficient_scope\", scope=\"\(error.required.rawValue)\""]
        case let error as OIDCProtocolError where error.code == "invalid_client": ["WWW-Authenticate": "Basic realm=\"onecard\""]
        case let error as OIDCProtocolError where error.code == "invalid_token": ["WWW-Authenticate": "Bearer error=\"invalid_token\""]
        // An HTTP-date (RFC 9110 §10.2.3): the error knows when, not how long from the moment it is sent.
        case GroupApplicationError.uploadLimitReached(let retryAt): ["Retry-After": retryAt.rfc1123]
        case RequestRefusal.methodNotAllowed(let allowed): ["Allow": allowed.map(\.rawValue).joined(separator: ", ")]
        case let error as AddressLimitError: ["Retry-After": String(error.minutes * 60)]
        case is PasswordHashingBusy: ["Retry-After": String(PasswordHashingBusy.retryAfterSeconds)]
        case let error as PatronAuthenticationError:
            error.retryAfter.map { ["Retry-After": String($0)] } ?? [:]
        default: [:]
        }
    }
}
