import Foundation
import TestSubprocess
import XCTest

/// A real mail relay for the tests: PyPI's aiosmtpd run by `tests/smtp/relay.py` on a free loopback port,
/// with STARTTLS or TLS from the start and AUTH as asked, delivering to a Maildir and noting each command it
/// saw in an events file. Installed by `scripts/install-test-tools`.
final class SMTPRelayProcess: Sendable {
    let child: RunningProcess
    let port: Int
    let maildir: String
    let eventsFile: String

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("tests/smtp/relay.py").path

    private init(child: RunningProcess, port: Int, maildir: String, eventsFile: String) {
        self.child = child
        self.port = port
        self.maildir = maildir
        self.eventsFile = eventsFile
    }

    /// `arguments` are relay.py's own (`--starttls`, `--auth user:password`, …); the Maildir and events file
    /// go in `directory`. Waits for the relay's first line ("listening PORT") without holding a thread.
    static func start(directory: String, _ arguments: [String]) async throws -> SMTPRelayProcess {
        let name = UUID().uuidString
        let maildir = (directory as NSString).appendingPathComponent("maildir-\(name)")
        let eventsFile = (directory as NSString).appendingPathComponent("events-\(name)")
        FileManager.default.createFile(atPath: eventsFile, contents: nil)
        let child = try RunningProcess(["python3", script, "--maildir", maildir, "--events", eventsFile] + arguments)
        guard let first = await child.firstLine(within: 30), first.hasPrefix("listening "), let port = Int(first.dropFirst("listening ".count)) else {
            await child.stop()
            throw RelayStartError(message: "tests/smtp/relay.py did not start (pip install aiosmtpd, as scripts/install-test-tools does): \(child.stderrText.suffix(2000))")
        }
        return SMTPRelayProcess(child: child, port: port, maildir: maildir, eventsFile: eventsFile)
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
    func stop() async {
        await child.stop()
    }

    struct RelayStartError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// A self-signed certificate and key made by `openssl req -x509` in `directory`, for the names given
    /// as subjectAltName entries (`IP:127.0.0.1,DNS:localhost`).
    static func makeCertificate(in directory: String, names: String = "IP:127.0.0.1,DNS:localhost") async throws -> (certificate: String, key: String) {
        let stem = (directory as NSString).appendingPathComponent("relay-\(UUID().uuidString)")
        let openssl = try await Subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                                                "-keyout", stem + "-key.pem", "-out", stem + "-cert.pem",
                                                "-subj", "/CN=OneCard test relay", "-addext", "subjectAltName=\(names)"])
        guard openssl.status == 0 else { throw RelayStartError(message: "openssl req -x509 failed: \(openssl.stderrText)") }
        return (stem + "-cert.pem", stem + "-key.pem")
    }
}
