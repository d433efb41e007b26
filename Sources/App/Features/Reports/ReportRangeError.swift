import OneCardDomain

/// A report's dates or library that cannot be used as given: each field's problem, to show beside it.
enum ReportRangeError: UserFacingError, Equatable {
    case invalid([FieldError])

    var code: String { "invalid" }
    var messageKey: String { "error.unprocessable" }
}
