import OneCardDomain

/// A change to a library, desk or partner service refused as given: each field's problem, to show beside
/// it (`staff.library.error.<code>`, whose text names the field).
enum LibraryAdministrationError: UserFacingError, Equatable {
    case invalid([FieldError])

    var code: String { "invalid" }
    var messageKey: String { "error.unprocessable" }

    var fieldErrors: [FieldError] {
        switch self {
        case .invalid(let errors): errors
        }
    }
}
