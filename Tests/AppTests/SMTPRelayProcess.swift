import Foundation
import NIOConcurrencyHelpers
import XCTest

/// A real mail relay for the tests: PyPI's aiosmtpd run by `tests/smtp/relay.py` on a free loopback port,
/// with STARTTLS or TLS from the start and AUTH as asked, delivering to a Maildir and noting each command it
/// saw in an events file. Installed by `scripts/install-test-tools`.
final class SMTPRelayProcess: @unchecked Sendable {
    let process: Process
    let port: Int
    let maildir: String
    let eventsFile: String

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("tests/smtp/relay.py").path

    /// `arguments` are relay.py's own (`--starttls`, `--auth user:password`, …); the Maildir and events file
    /// go in `directory`.
    init(directory: String, _ arguments: [String]) throws {
        let name = UUID().uuidString
        maildir = (directory as NSString).appendingPathComponent("maildir-\(name)")
        eventsFile = (directory as NSString).appendingPathComponent("events-\(name)")
        FileManager.default.createFile(atPath: eventsFile, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script, "--maildir", maildir, "--events", eventsFile] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let line = NIOLockedValueBox<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            var data = Data()
            while !data.contains(UInt8(ascii: "\n")) {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                data += chunk
            }
            line.withLockedValue { $0 = String(decoding: data, as: UTF8.self).components(separatedBy: "\n").first }
            done.signal()
        }
        _ = done.wait(timeout: .now() + 30)
        guard let first = line.withLockedValue({ $0 }), first.hasPrefix("listening "), let port = Int(first.dropFirst("listening ".count)) else {
            process.terminate()
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw RelayStartError(message: "tests/smtp/relay.py did not start (pip install aiosmtpd, as scripts/install-test-tools does): \(stderr.suffix(2000))")
        }
        self.process = process
        self.port = port
        // Keep draining stderr so the relay never blocks on a full pipe.
        Thread.detachNewThread {
            while !errors.fileHandleForReading.availableData.isEmpty {}
        }
    }

    /// The commands the relay saw, one per line (`EHLO tls=no`, `STARTTLS`, `AUTH PLAIN tls=yes`, `AUTH-OK user`, `MAIL tls=yes`).
    var events: [String] {
        ((try? String(contentsOfFile: eventsFile, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// The messages it delivered, as stored (RFC 5322 text).
    var delivered: [String] {
        let new = (maildir as NSString).appendingPathComponent("new")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: new)) ?? []
        return files.compactMap { try? String(contentsOfFile: (new as NSString).appendingPathComponent($0), encoding: .utf8) }
    }

    /// SIGTERM, then SIGKILL if it is still there after five seconds; never waits forever.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<100 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        for _ in 0..<40 where process.isRunning { usleep(50_000) }
    }

    deinit { stop() }

    struct RelayStartError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// A self-signed certificate and key made by `openssl req -x509` in `directory`, for the names given
    /// as subjectAltName entries (`IP:127.0.0.1,DNS:localhost`).
    static func makeCertificate(in directory: String, names: String = "IP:127.0.0.1,DNS:localhost") throws -> (certificate: String, key: String) {
        let stem = (directory as NSString).appendingPathComponent("relay-\(UUID().uuidString)")
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                             "-keyout", stem + "-key.pem", "-out", stem + "-cert.pem",
                             "-subj", "/CN=OneCard test relay", "-addext", "subjectAltName=\(names)"]
        openssl.standardOutput = FileHandle.nullDevice
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else { throw RelayStartError(message: "openssl req -x509 failed") }
        return (stem + "-cert.pem", stem + "-key.pem")
    }
}
