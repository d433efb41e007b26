import Foundation

/// How a refused sign-in waits out its delay before answering: sleeping, except in tests, which record
/// the delays instead, so they can compare the delays of two accounts without timing anything.
struct SignInPause: Sendable {
    let wait: @Sendable (TimeInterval) async throws -> Void

    static let sleeping = SignInPause { delay in
        if delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000)) }
    }
}
