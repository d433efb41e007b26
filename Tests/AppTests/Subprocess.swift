import Foundation
import NIOConcurrencyHelpers

/// A child process the tests start (python, openssl, curl …), awaited without holding a thread of Swift's
/// cooperative pool: the exit resumes a continuation from `terminationHandler`, and each pipe is drained to
/// its end by a thread of its own (so a child that writes more than a pipe holds never waits on us). On two
/// cores the pool has two threads; a test blocking one in `waitUntilExit` stalled every other async test
/// of the run, timed SIP2 tests included.
enum Subprocess {
    struct Outcome: Sendable {
        let status: Int32
        let stdout: Data
        let stderr: Data
        var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// Runs `arguments` through `/usr/bin/env` (so `python3`, `openssl` are found on the PATH).
    static func run(_ arguments: [String], environment: [String: String]? = nil,
                    currentDirectory: URL? = nil) async throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let collected = NIOLockedValueBox<(stdout: Data, stderr: Data)>((Data(), Data()))
        let group = DispatchGroup()
        group.enter()
        process.terminationHandler = { _ in group.leave() }
        do {
            try process.run()
        } catch {
            group.leave()
            throw error
        }
        for (pipe, isOutput) in [(output, true), (errors, false)] {
            group.enter()
            Thread {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                collected.withLockedValue { if isOutput { $0.stdout = data } else { $0.stderr = data } }
                group.leave()
            }.start()
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            group.notify(queue: .global()) { continuation.resume() }
        }
        let (stdout, stderr) = collected.withLockedValue { $0 }
        return Outcome(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }
}
