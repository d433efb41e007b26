import NIOCore

/// Slows down and then locks out password guessing on 93 logins, per login user and per client
/// address: each failure within `window` doubles the delay before the 940 answer (from
/// `initialDelay` up to `maximumDelay`), and reaching the failure limit of a user or an address locks
/// it out for `lockoutDuration`, during which logins are refused without asking the backend.
public final class SIP2LoginThrottle: Sendable {
    public struct Policy: Sendable, Hashable {
        public var window: Duration
        public var maximumFailuresPerUser: Int
        public var maximumFailuresPerAddress: Int
        public var lockoutDuration: Duration
        public var initialDelay: Duration
        public var maximumDelay: Duration
        /// Bound on remembered users and addresses, so a flood of made-up names cannot exhaust memory.
        public var maximumTrackedKeys: Int

        public init(
            window: Duration = .seconds(15 * 60), maximumFailuresPerUser: Int = 5, maximumFailuresPerAddress: Int = 20,
            lockoutDuration: Duration = .seconds(15 * 60), initialDelay: Duration = .milliseconds(500),
            maximumDelay: Duration = .seconds(8), maximumTrackedKeys: Int = 10_000
        ) {
            self.window = window
            self.maximumFailuresPerUser = maximumFailuresPerUser
            self.maximumFailuresPerAddress = maximumFailuresPerAddress
            self.lockoutDuration = lockoutDuration
            self.initialDelay = initialDelay
            self.maximumDelay = maximumDelay
            self.maximumTrackedKeys = maximumTrackedKeys
        }
    }

    /// What a failed login led to.
    public struct Failure: Sendable, Hashable {
        public var failuresForUser: Int
        public var failuresForAddress: Int
        /// How long to wait before answering 940.
        public var delay: Duration
        /// Whether this failure locked the user or the address out.
        public var lockedOut: Bool
    }

    private enum Key: Hashable {
        case user(String)
        case address(String)
    }

    private struct Entry {
        var failures: [UInt64] = []
        var lockedUntil: UInt64?
    }

    public let policy: Policy
    private let now: @Sendable () -> UInt64
    private let entries = LockedState([Key: Entry]())

    /// `now` returns monotonic nanoseconds; tests pass their own clock.
    public init(policy: Policy = Policy(), now: @escaping @Sendable () -> UInt64 = { NIODeadline.now().uptimeNanoseconds }) {
        self.policy = policy
        self.now = now
    }

    /// How long the user or the address stays locked out, or nil when neither is.
    public func lockout(user: String, address: String?) -> Duration? {
        let now = now()
        return entries.withLock { entries in
            let remaining = keys(user: user, address: address).compactMap { key -> UInt64? in
                guard let until = entries[key]?.lockedUntil, until > now else { return nil }
                return until - now
            }.max()
            return remaining.map { Duration.nanoseconds(Int64(clamping: $0)) }
        }
    }

    /// Counts a failed login and says how long to delay the answer.
    public func recordFailure(user: String, address: String?) -> Failure {
        let now = now()
        let windowStart = now &- min(now, nanoseconds(policy.window))
        return entries.withLock { entries in
            if entries.count >= policy.maximumTrackedKeys { prune(&entries, now: now, windowStart: windowStart) }
            var counts: [Int] = []
            var lockedOut = false
            for key in keys(user: user, address: address) {
                var entry = entries[key] ?? Entry()
                entry.failures.removeAll { $0 < windowStart }
                entry.failures.append(now)
                let limit: Int
                switch key {
                case .user: limit = policy.maximumFailuresPerUser
                case .address: limit = policy.maximumFailuresPerAddress
                }
                if entry.failures.count > limit { entry.failures.removeFirst(entry.failures.count - limit) }
                if entry.failures.count >= limit {
                    entry.lockedUntil = now + nanoseconds(policy.lockoutDuration)
                    lockedOut = true
                }
                counts.append(entry.failures.count)
                entries[key] = entry
            }
            let worst = counts.max() ?? 1
            let initial = nanoseconds(policy.initialDelay)
            let factor = UInt64(1) << UInt64(min(worst - 1, 30))
            let delay = min(initial.multipliedReportingOverflow(by: factor).overflow ? .max : initial * factor,
                            nanoseconds(policy.maximumDelay))
            return Failure(
                failuresForUser: counts.first ?? 0, failuresForAddress: counts.count > 1 ? counts[1] : 0,
                delay: .nanoseconds(Int64(clamping: delay)), lockedOut: lockedOut)
        }
    }

    /// A successful login clears the user's failures (not the address's).
    public func recordSuccess(user: String) {
        _ = entries.withLock { $0.removeValue(forKey: .user(Self.key(user))) }
    }

    private func keys(user: String, address: String?) -> [Key] {
        [.user(Self.key(user))] + (address.map { [.address($0)] } ?? [])
    }

    private static func key(_ user: String) -> String { String(user.unicodeScalars.prefix(128)) }

    private func prune(_ entries: inout [Key: Entry], now: UInt64, windowStart: UInt64) {
        entries = entries.filter { _, entry in
            (entry.lockedUntil ?? 0) > now || (entry.failures.last ?? 0) >= windowStart
        }
        guard entries.count >= policy.maximumTrackedKeys else { return }
        // Still full of recent failures: forget the oldest half that are not locked out.
        let unlocked = entries.filter { ($0.value.lockedUntil ?? 0) <= now }
            .sorted { ($0.value.failures.last ?? 0) < ($1.value.failures.last ?? 0) }
        for (key, _) in unlocked.prefix(max(1, unlocked.count / 2)) { entries.removeValue(forKey: key) }
    }

    private func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        return UInt64(clamping: seconds).multipliedReportingOverflow(by: 1_000_000_000).partialValue
            &+ UInt64(attoseconds / 1_000_000_000)
    }
}
