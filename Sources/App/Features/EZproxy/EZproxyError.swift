/// Why OneCard sends no ticket to an EZproxy host (issue #15 item 3). Each is a page that says what to do.
enum EZproxyError: UserFacingError, Equatable {
    /// The card holder is not one this host's library serves (not its own, not linked to it).
    case notForThisCard
    case cardSuspended
    case cardExpired

    var code: String {
        switch self {
        case .notForThisCard: "ezproxy_not_for_this_card"
        case .cardSuspended: "card_suspended"
        case .cardExpired: "card_expired"
        }
    }

    var messageKey: String { "error.ezproxy.\(code)" }
}
