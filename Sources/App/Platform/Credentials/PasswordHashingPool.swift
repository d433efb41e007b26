import Foundation
import NIOConcurrencyHelpers
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// The threads that run bcrypt, apart from the application's thread pool (where SQLite and file work
/// run), with a limit on how many checks may wait for them.
///
/// Issue #13 item 3: bcrypt ran on the application's pool beside SQLite, so 120 concurrent failed sign-ins
/// held `/healthz` for 25 s and made 71 requests fail with the database's "connection request timed out".
/// Here a check takes a place before it touches the database (`enter`); the places are the threads plus
/// `queueLimit`, and a check that finds none is refused at once with `PasswordHashingBusy` (503 with
/// `Retry-After`), never left to time out. The threads start on first use, so a command that checks no
/// password starts none, and they run at a lower CPU priority (nice 10), so that on a busy machine the
/// event loops and the database are served before password checks.
final class PasswordHashingPool: Sendable {
    let threadCount: Int
    let queueLimit: Int
    private let state = NIOLockedValueBox<State>(State())

    private struct State {
        var pool: NIOThreadPool?
        var placesTaken = 0
        var shutDown = false
    }

    init(threadCount: Int, queueLimit: Int) {
        self.threadCount = max(1, threadCount)
        self.queueLimit = max(0, queueLimit)
    }

    /// Checks running or waiting for a thread now (for tests and the probe).
    var placesTaken: Int { state.withLockedValue { $0.placesTaken } }

    /// Takes a place, or throws `PasswordHashingBusy` when every thread is busy and `queueLimit` checks wait.
    func enter() throws {
        try state.withLockedValue { state in
            guard state.placesTaken < threadCount + queueLimit else { throw PasswordHashingBusy() }
            state.placesTaken += 1
        }
    }

    /// Gives back a place taken with `enter`.
    func leave() {
        state.withLockedValue { $0.placesTaken = max(0, $0.placesTaken - 1) }
    }

    /// Runs `body` (bcrypt) on one of the pool's threads; the caller holds a place.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await threads().runIfActive {
            Self.lowerPriorityOfThisThread()
            return try body()
        }
    }

    func shutdown() async {
        let pool = state.withLockedValue { state -> NIOThreadPool? in
            state.shutDown = true
            defer { state.pool = nil }
            return state.pool
        }
        try? await pool?.shutdownGracefully()
    }

    private func threads() throws -> NIOThreadPool {
        try state.withLockedValue { state in
            if let pool = state.pool { return pool }
            guard !state.shutDown else { throw PasswordHashingBusy() }
            let pool = NIOThreadPool(numberOfThreads: threadCount)
            pool.start()
            state.pool = pool
            return pool
        }
    }

    /// On Linux the nice value belongs to the calling thread (`setpriority(2)`, who 0), so this lowers
    /// only the hashing thread. Idempotent and cheap beside bcrypt; elsewhere it does nothing.
    private static func lowerPriorityOfThisThread() {
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #endif
    }
}
