import Foundation

/// A child process the tests start (python, openssl, curl, sqlite3, the `onecard` executable …), awaited
/// without holding a thread of Swift's cooperative pool: the exit resumes a continuation from
/// `terminationHandler`, and each pipe is drained to its end by a thread of its own (so a child that writes
/// more than a pipe holds never waits on us).
///
/// Why it matters: on two cores the cooperative pool has two threads. A test blocking one of them in
/// `waitUntilExit` or `readDataToEndOfFile` halves what every other async task of the process gets (the
/// Swift Testing suites run in parallel, and the app under test serves its requests there too); two such
/// waits at once stop them all, timed SIP2 tests included. Issue #16 item 4.
public enum Subprocess {
    public struct Outcome: Sendable {
        public let status: Int32
        /// `.exit`, or `.uncaughtSignal` for a child killed by a signal.
        public let terminationReason: Process.TerminationReason
        public let stdout: Data
        public let stderr: Data
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// Runs `arguments` through `executable` (by default `/usr/bin/env`, so `python3`, `openssl`, `curl` are
    /// found on the PATH) and returns its status and everything it printed.
    public static func run(_ arguments: [String], executable: String = "/usr/bin/env", environment: [String: String]? = nil,
                           currentDirectory: URL? = nil) async throws -> Outcome {
        let child = try RunningProcess(arguments, executable: executable, environment: environment, currentDirectory: currentDirectory)
        await child.exit()
        return await child.outcome()
    }
}

/// A child process that keeps running while the test talks to it (an SMTP relay, an OpenID provider, the
/// `onecard` server) or that the test kills on purpose. Everything that waits on it is `async` and waits
/// without holding a cooperative thread; `deinit` only sends SIGKILL, never waits.
public final class RunningProcess: @unchecked Sendable {
    typealias Waiter = @Sendable () -> Void
    public let process: Process
    private let state = Locked(State())

    private struct State {
        var stdout = Data()
        var stderr = Data()
        var stdoutClosed = false
        var stderrClosed = false
        var exited = false
        /// Called once the child has exited and both pipes are drained.
        var exitWaiters: [Waiter] = []
        /// Called when stdout holds a newline or is closed.
        var lineWaiters: [Waiter] = []

        var finished: Bool { exited && stdoutClosed && stderrClosed }

        mutating func takeExitWaiters() -> [Waiter] {
            defer { exitWaiters = [] }
            return exitWaiters
        }
        var hasLine: Bool { stdout.contains(UInt8(ascii: "\n")) || stdoutClosed }
    }

    /// Starts `arguments` through `executable`. `standardOutput: false` sends stdout to /dev/null (a child
    /// that prints a lot the test never reads).
    public init(_ arguments: [String], executable: String = "/usr/bin/env", environment: [String: String]? = nil,
                currentDirectory: URL? = nil, standardOutput: Bool = true) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = standardOutput ? output : FileHandle.nullDevice
        process.standardError = errors
        self.process = process
        if !standardOutput { state.withLock { $0.stdoutClosed = true } }
        let state = self.state
        process.terminationHandler = { _ in
            let waiters = state.withLock { state -> [Waiter] in
                state.exited = true
                return state.finished ? state.takeExitWaiters() : []
            }
            waiters.forEach { $0() }
        }
        try process.run()
        if standardOutput { Self.drain(output, into: state, isOutput: true) }
        Self.drain(errors, into: state, isOutput: false)
        // The parent's copies of the write ends must close, or the readers never see the end of the pipes.
        try? output.fileHandleForWriting.close()
        try? errors.fileHandleForWriting.close()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    public var processIdentifier: Int32 { process.processIdentifier }
    public var isRunning: Bool { !state.withLock { $0.exited } }
    public var stdoutText: String { String(decoding: state.withLock { $0.stdout }, as: UTF8.self) }
    public var stderrText: String { String(decoding: state.withLock { $0.stderr }, as: UTF8.self) }

    /// The first line the child printed, once printed; nil if it closed stdout or `seconds` passed first.
    public func firstLine(within seconds: Double) async -> String? {
        await wait(seconds: seconds, until: \.hasLine, register: { $0.lineWaiters.append($1) })
        let text = stdoutText
        guard let end = text.firstIndex(of: "\n") else { return nil }
        return String(text[..<end])
    }

    /// Waits until the child has exited and its output is read; with `seconds`, no longer than that.
    /// Returns whether it has exited.
    @discardableResult
    public func exit(within seconds: Double? = nil) async -> Bool {
        await wait(seconds: seconds, until: \.finished, register: { $0.exitWaiters.append($1) })
        return !isRunning
    }

    /// What the child left once it has exited (`exit()` first).
    public func outcome() async -> Subprocess.Outcome {
        await exit()
        let (stdout, stderr) = state.withLock { ($0.stdout, $0.stderr) }
        return Subprocess.Outcome(status: process.terminationStatus, terminationReason: process.terminationReason, stdout: stdout, stderr: stderr)
    }

    /// Sends `signal`.
    public func send(_ signal: Int32) {
        if isRunning { kill(process.processIdentifier, signal) }
    }

    /// `signal` (SIGTERM unless told), then SIGKILL if it is still there after `grace` seconds; never waits forever.
    public func stop(_ signal: Int32 = SIGTERM, grace: Double = 5) async {
        guard isRunning else { return }
        send(signal)
        if await exit(within: grace) { return }
        send(SIGKILL)
        await exit(within: 2)
    }

    private func wait(seconds: Double?, until done: KeyPath<State, Bool>,
                      register: (inout State, @escaping Waiter) -> Void) async {
        // One continuation, resumed by whichever comes first: the event (from a reader thread or the
        // termination handler) or the timeout (from a dispatch thread).
        let resumed = Locked(false)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeOnce: Waiter = {
                if resumed.withLock({ done in defer { done = true }; return !done }) { continuation.resume() }
            }
            let ready = state.withLock { state -> Bool in
                if state[keyPath: done] { return true }
                register(&state, resumeOnce)
                return false
            }
            if ready { return resumeOnce() }
            if let seconds { DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: resumeOnce) }
        }
    }

    private static func drain(_ pipe: Pipe, into state: Locked<State>, isOutput: Bool) {
        let thread = Thread {
            let handle = pipe.fileHandleForReading
            while true {
                let chunk = handle.availableData
                let waiters = state.withLock { state -> [Waiter] in
                    if chunk.isEmpty {
                        if isOutput { state.stdoutClosed = true } else { state.stderrClosed = true }
                    } else if isOutput {
                        state.stdout.append(chunk)
                    } else {
                        state.stderr.append(chunk)
                    }
                    var ready: [Waiter] = []
                    if isOutput, state.hasLine { ready += state.lineWaiters; state.lineWaiters = [] }
                    if state.finished { ready += state.takeExitWaiters() }
                    return ready
                }
                waiters.forEach { $0() }
                if chunk.isEmpty { return }
            }
        }
        thread.start()
    }
}

/// A value behind a lock (Foundation only, so every test target can use this module).
final class Locked<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    init(_ value: Value) { self.value = value }

    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
