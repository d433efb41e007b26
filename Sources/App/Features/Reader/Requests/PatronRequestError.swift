/// A staff decision on a reader's request that names no decision (neither approve nor reject). Only a
/// hand-made request sends one, so it answers with the site's plain "could not be processed" page.
enum PatronRequestError: UserFacingError, Equatable {
    case decisionMissing

    var code: String { "bad_request" }
    var messageKey: String { "error.bad_request" }
}
