/// A staff decision on a reader's request that cannot be carried out.
enum PatronRequestError: UserFacingError, Equatable {
    /// Names no decision (neither approve nor reject). Only a hand-made request sends one, so it answers
    /// with the site's plain "could not be processed" page.
    case decisionMissing
    /// Approving a new name that breaks the rule of personal names (`PersonalText`): a request stored before
    /// the rule (#12 item 11) may hold line breaks or < >; it can only be rejected.
    case requestedNameInvalid

    var code: String {
        switch self {
        case .decisionMissing: "bad_request"
        case .requestedNameInvalid: "requested_name_invalid"
        }
    }

    var messageKey: String {
        switch self {
        case .decisionMissing: "error.bad_request"
        case .requestedNameInvalid: "staff.requests.error.requested_name_invalid"
        }
    }
}
