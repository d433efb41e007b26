import NIOConcurrencyHelpers

/// The embedded database's one writer at a time: SQLite lets a single connection write, so the app's
/// writes wait here, in order, instead of in SQLite's busy handler (which sleeps in growing steps and
/// then fails with "database is locked"). Reads do not queue; in WAL mode they run beside the writer.
///
/// A task that holds the queue (a transaction's body) may write again without queueing, so a write
/// through another `Database` inside a transaction does not wait for itself.
final class SQLiteWriterQueue: Sendable {
    @TaskLocal static var isHeld = false

    private struct State {
        var busy = false
        var waiting: [CheckedContinuation<Void, Never>] = []
    }
    private let state = NIOLockedValueBox(State())

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if Self.isHeld { return try await body() }
        await acquire()
        defer { release() }
        return try await Self.$isHeld.withValue(true) { try await body() }
    }

    private func acquire() async {
        let enter = state.withLockedValue { state -> Bool in
            guard state.busy else {
                state.busy = true
                return true
            }
            return false
        }
        if enter { return }
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLockedValue { state -> Bool in
                // Released between the first look and now: take it.
                guard state.busy else {
                    state.busy = true
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Hands the queue to the next writer in line (it stays busy) or frees it.
    private func release() {
        let next = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiting.isEmpty else {
                state.busy = false
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
