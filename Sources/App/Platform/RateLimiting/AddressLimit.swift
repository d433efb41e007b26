import Fluent
import Foundation

/// Attempts per client address, whatever identifier each one types (issue #12 item 5): card numbers
/// are sequential, so a guesser who walks through many cards from one address never trips any one
/// card's lock. The attempt is counted before any password is verified, in the same atomic statement
/// as the accounts' throttle (`RateLimiter.count`), so attempts sent at once cannot all slip under it.
///
/// A request with no IP peer address (only requests made inside the process, such as the tests' in-memory
/// client) is not counted: there is no address to hold it against.
struct AddressLimit {
    /// A door with its own count per address.
    enum Door: String, Sendable {
        case readerSignIn = "signin:reader"
        case staffSignIn = "signin:staff"
        case passwordReset = "reset"
        case groupContactLink = "group-contact"

        /// Sign-ins count failures only (a right password gives its count back); the link requests
        /// count every request, as none of them tells the requester whether it found anyone.
        var limit: Int {
            switch self {
            case .readerSignIn, .staffSignIn: 30
            case .passwordReset, .groupContactLink: 20
            }
        }

        var window: TimeInterval {
            switch self {
            case .readerSignIn, .staffSignIn: 15 * 60
            case .passwordReset, .groupContactLink: 60 * 60
            }
        }
    }

    /// The door and the address one attempt comes through.
    struct Attempt: Sendable {
        var door: Door
        var address: String?
    }

    let database: any Database
    let now: Date

    /// Counts the attempt; throws `AddressLimitError` when its address has used up the door's limit for
    /// the window, saying how many minutes remain.
    func reserve(_ attempt: Attempt) async throws {
        guard let bucket = Self.bucket(attempt) else { return }
        let count = try await RateLimiter(database: database).count(bucket, per: attempt.door.window, now: now)
        guard count <= attempt.door.limit else {
            let ends = RateLimiter.windowEnd(now, attempt.door.window)
            throw AddressLimitError(minutes: max(1, Int(ends.timeIntervalSince(now) / 60 + 0.999)))
        }
    }

    /// Gives back an attempt that succeeded (a right password), so signing in costs the address nothing.
    func giveBack(_ attempt: Attempt) async throws {
        guard let bucket = Self.bucket(attempt) else { return }
        try await RateLimiter(database: database).uncount(bucket, per: attempt.door.window, now: now)
    }

    static func bucket(_ attempt: Attempt) -> String? {
        attempt.address.map { "\(attempt.door.rawValue):ip:\($0)" }
    }
}
