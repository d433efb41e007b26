import Foundation

/// Why `POST /api/v1/patron-authentication` refused (issue #15 item 2). The first three are told in this
/// order: `invalidCredentials` alike for an unknown card and a wrong password; `cardSuspended` and
/// `cardExpired` only after a right password, so they tell nothing to someone without it.
enum PatronAuthenticationError: UserFacingError, Equatable {
    case invalidCredentials
    case cardSuspended
    case cardExpired
    /// The card (or, for an identifier that finds none, what was typed) had `SignInThrottle.lockAfter` wrong
    /// passwords in its window, through any door; the password was not tried. `retryAfter`: seconds until the
    /// window ends.
    case locked(retryAfter: Int)
    /// A limit of the client or of the card (`PatronAuthenticationLimits`); `retryAfter`: seconds until its window ends.
    case rateLimited(retryAfter: Int)

    var code: String {
        switch self {
        case .invalidCredentials: "invalid_credentials"
        case .cardSuspended: "card_suspended"
        case .cardExpired: "card_expired"
        case .locked: "locked"
        case .rateLimited: "rate_limited"
        }
    }

    var messageKey: String { "error.patron_authentication.\(code)" }

    /// Seconds to wait before trying again, for `Retry-After`.
    var retryAfter: Int? {
        switch self {
        case .locked(let seconds), .rateLimited(let seconds): seconds
        default: nil
        }
    }

    /// Whole seconds from `now` to `end` (at least 1).
    static func seconds(from now: Date, to end: Date) -> Int {
        max(1, Int(end.timeIntervalSince(now).rounded(.up)))
    }
}
