import OneCardDomain

/// A closed day the administrator cannot add as given: each field's problem, to show beside it.
enum LibraryCalendarError: UserFacingError, Equatable {
    case invalid([FieldError])

    var code: String { "invalid" }
    var messageKey: String { "error.unprocessable" }
}
