import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOPosix
import XCTVapor
@testable import App

/// Mail through a real relay (issue #12, "Mail through a real relay"): aiosmtpd with STARTTLS or TLS from the
/// start, AUTH required, and a self-signed certificate made by openssl for each test. The settings come from
/// the same variables an operator sets, read by the same code.
final class SMTPRelayTests: XCTestCase {
    var directory = ""
    var certificate = ""
    var key = ""
    var relays: [SMTPRelayProcess] = []

    static let user = "onecard@library.example"
    /// Characters that need percent-encoding in a URL, so the decoding is exercised on the way to the relay.
    static let password = "p@ss:wörd/42 tiger"
    static let encodedUser = "onecard%40library.example"
    static let encodedPassword = "p%40ss%3Aw%C3%B6rd%2F42%20tiger"

    override func setUp() async throws {
        directory = NSTemporaryDirectory() + "onecard-relay-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        (certificate, key) = try await SMTPRelayProcess.makeCertificate(in: directory)
    }

    override func tearDown() async throws {
        for relay in relays { await relay.stop() }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func relay(_ arguments: [String]) async throws -> SMTPRelayProcess {
        let relay = try await SMTPRelayProcess.start(directory: directory, arguments)
        relays.append(relay)
        return relay
    }

    private var tlsArguments: [String] { ["--cert", certificate, "--key", key] }

    private func settings(_ variables: [String: String]) throws -> SMTPRelaySettings {
        try XCTUnwrap(SMTPRelaySettings.fromEnvironment { variables[$0] })
    }

    private func enqueueInvitation(_ app: Application) async throws {
        try await app.outbox.enqueueEmail(
            template: "staff_invitation", to: "館員 <librarian@example.org>", locale: .zhTW,
            values: ["library": "臺北市立圖書館", "role": "櫃台", "link": "http://127.0.0.1:8080/staff/password?token=abc", "hours": "72"],
            on: app.db)
    }

    /// One delivery pass through the app's own outbox worker; returns the message's row afterwards.
    private func deliverOnce(_ app: Application) async throws -> (delivered: Int, row: OutboxMessage) {
        let delivered = try await app.outboxWorker.deliverDue()
        let row = try await OutboxMessage.query(on: app.db).first()
        return (delivered, try XCTUnwrap(row))
    }

    // 1. STARTTLS + AUTH PLAIN, the relay's self-signed certificate configured as trusted.
    func testSTARTTLSWithAUTHPLAINDeliversToARelayWhoseCertificateIsTrusted() async throws {
        let relay = try await relay(tlsArguments + ["--starttls", "--auth", "\(Self.user):\(Self.password)"])
        // Through `localhost`: the certificate's DNS name is checked, and the credentials come from the URL.
        let smtp = try settings(["SMTP_URL": "smtp://\(Self.encodedUser):\(Self.encodedPassword)@localhost:\(relay.port)",
                                 "SMTP_CA_FILE": certificate])
        XCTAssertEqual(smtp.security, .startTLS, "credentials make STARTTLS required")
        try await withTestApp(adjust: { $0.smtp = smtp }) { app in
            try await enqueueInvitation(app)
            let (delivered, row) = try await deliverOnce(app)
            XCTAssertEqual(delivered, 1, row.lastError ?? "")
            XCTAssertEqual(row.status, .delivered)
        }
        XCTAssertEqual(relay.events, ["EHLO tls=no", "STARTTLS", "EHLO tls=yes", "AUTH PLAIN tls=yes", "AUTH-OK \(Self.user)", "MAIL tls=yes"])
        XCTAssertEqual(relay.delivered.count, 1)
        XCTAssertTrue(relay.delivered.first?.contains("librarian@example.org") ?? false)
    }

    // 2. The same relay, its certificate not configured: the handshake fails and nothing else is sent.
    func testARelayWhoseCertificateIsNotTrustedIsRefusedBeforeAUTH() async throws {
        let relay = try await relay(tlsArguments + ["--starttls", "--auth", "\(Self.user):\(Self.password)"])
        let smtp = try settings(["SMTP_URL": "smtp://127.0.0.1:\(relay.port)", "SMTP_USERNAME": Self.user, "SMTP_PASSWORD": Self.password])
        try await withTestApp(adjust: { $0.smtp = smtp }) { app in
            try await enqueueInvitation(app)
            let (delivered, row) = try await deliverOnce(app)
            XCTAssertEqual(delivered, 0)
            XCTAssertEqual(row.status, .pending, "kept for the outbox's next try")
            XCTAssertEqual(row.attempts, 1)
            let error = try XCTUnwrap(row.lastError)
            XCTAssertTrue(error.contains("TLS failed"), error)
            XCTAssertTrue(error.contains("CERTIFICATE_VERIFY_FAILED"), error)
        }
        XCTAssertEqual(relay.events, ["EHLO tls=no", "STARTTLS"], "no AUTH, no MAIL: the relay saw nothing after the failed handshake")
        XCTAssertTrue(relay.delivered.isEmpty)
    }

    // Host name verification: a trusted certificate made out to another name is refused all the same.
    func testATrustedCertificateForAnotherNameIsRefused() async throws {
        let (otherCertificate, otherKey) = try await SMTPRelayProcess.makeCertificate(in: directory, names: "DNS:mail.elsewhere.example")
        let relay = try await relay(["--cert", otherCertificate, "--key", otherKey, "--starttls", "--auth", "\(Self.user):\(Self.password)"])
        let smtp = try settings(["SMTP_URL": "smtp://127.0.0.1:\(relay.port)", "SMTP_USERNAME": Self.user,
                                 "SMTP_PASSWORD": Self.password, "SMTP_CA_FILE": otherCertificate])
        try await withTestApp(adjust: { $0.smtp = smtp }) { app in
            try await enqueueInvitation(app)
            let (delivered, row) = try await deliverOnce(app)
            XCTAssertEqual(delivered, 0)
            XCTAssertEqual(row.status, .pending)
            XCTAssertTrue(row.lastError?.contains("TLS failed") ?? false, row.lastError ?? "")
        }
        XCTAssertFalse(relay.events.contains { $0.hasPrefix("AUTH") || $0.hasPrefix("MAIL") }, "\(relay.events)")
    }

    // 3. TLS from the first byte (smtps://, the port 465 style) with AUTH.
    func testImplicitTLSWithAUTHDelivers() async throws {
        let relay = try await relay(tlsArguments + ["--implicit-tls", "--auth", "\(Self.user):\(Self.password)"])
        let smtp = try settings(["SMTP_URL": "smtps://\(Self.encodedUser):\(Self.encodedPassword)@127.0.0.1:\(relay.port)",
                                 "SMTP_CA_FILE": certificate])
        XCTAssertEqual(smtp.security, .implicitTLS)
        try await withTestApp(adjust: { $0.smtp = smtp }) { app in
            try await enqueueInvitation(app)
            let (delivered, row) = try await deliverOnce(app)
            XCTAssertEqual(delivered, 1, row.lastError ?? "")
        }
        XCTAssertEqual(relay.events, ["EHLO tls=yes", "AUTH PLAIN tls=yes", "AUTH-OK \(Self.user)", "MAIL tls=yes"])
        XCTAssertEqual(relay.delivered.count, 1)
    }

    // A relay that offers only AUTH LOGIN gets LOGIN.
    func testAUTHLOGINWhenTheRelayOffersNoPLAIN() async throws {
        let relay = try await relay(tlsArguments + ["--starttls", "--login-only", "--auth", "\(Self.user):\(Self.password)"])
        let smtp = try settings(["SMTP_URL": "smtp://127.0.0.1:\(relay.port)", "SMTP_USERNAME": Self.user,
                                 "SMTP_PASSWORD": Self.password, "SMTP_CA_FILE": certificate])
        try await withTestApp(adjust: { $0.smtp = smtp }) { app in
            try await enqueueInvitation(app)
            let (delivered, row) = try await deliverOnce(app)
            XCTAssertEqual(delivered, 1, row.lastError ?? "")
        }
        XCTAssertEqual(relay.events.filter { $0.hasPrefix("AUTH") }, ["AUTH LOGIN tls=yes", "AUTH-OK \(Self.user)"])
    }

    // 4. A wrong password: refused, kept for retry, and the error names the step but keeps no form of the
    // password, though this relay echoes the attempt in its refusal. The worker's log line says the same.
    func testAWrongPasswordIsRefusedAndNeitherTheErrorNorTheLogKeepsIt() async throws {
        let relay = try await relay(tlsArguments + ["--starttls", "--auth", "\(Self.user):\(Self.password)"])
        let wrong = "Wrong-Horse-Battery-77"
        let passwordFile = (directory as NSString).appendingPathComponent("smtp-password")
        try Data((wrong + "\n").utf8).write(to: URL(fileURLWithPath: passwordFile))
        let smtp = try settings(["SMTP_URL": "smtp://127.0.0.1:\(relay.port)", "SMTP_USERNAME": Self.user,
                                 "SMTP_PASSWORD_FILE": passwordFile, "SMTP_CA_FILE": certificate])
        XCTAssertEqual(smtp.credentials?.password, wrong, "the file's final line break is not part of the password")
        let lines = NIOLockedValueBox<[String]>([])
        try await withTestApp(adjust: { $0.smtp = smtp }) { app in
            try await enqueueInvitation(app)
            let mailer = try SMTPMailer(relay: smtp, heloName: "onecard.test", eventLoopGroup: app.eventLoopGroup)
            let worker = OutboxWorker(
                database: { [app] in app.db }, clock: app.clock,
                logger: Logger(label: "onecard.outbox") { label in
                    OneCardLogHandler(label: label, level: .trace) { line in lines.withLockedValue { $0.append(line) } }
                },
                handlers: [.email: OutboxWorker.emailHandler(mailer, vault: app.vault)])
            let delivered = try await worker.deliverDue()
            XCTAssertEqual(delivered, 0)
            let stored = try await OutboxMessage.query(on: app.db).first()
            let row = try XCTUnwrap(stored)
            XCTAssertEqual(row.status, .pending, "kept for the outbox's next try")
            XCTAssertEqual(row.attempts, 1)
            let error = try XCTUnwrap(row.lastError)
            XCTAssertTrue(error.contains("AUTH PLAIN"), error)
            XCTAssertTrue(error.contains("535 5.7.8"), error)
            let log = lines.withLockedValue { $0.joined(separator: "\n") }
            XCTAssertTrue(log.contains("AUTH PLAIN"), "the worker logged the failure: \(log)")
            for secret in [wrong, Data(wrong.utf8).base64EncodedString(), Data("\0\(Self.user)\0\(wrong)".utf8).base64EncodedString()] {
                XCTAssertFalse(error.contains(secret), error)
                XCTAssertFalse(log.contains(secret), log)
            }
        }
        XCTAssertEqual(relay.events.filter { $0.hasPrefix("AUTH") }, ["AUTH PLAIN tls=yes", "AUTH-FAILED"])
        XCTAssertTrue(relay.delivered.isEmpty)
    }

    // 5. Credentials for a relay that offers no STARTTLS: refused before AUTH, no password in clear text.
    func testCredentialsAreNeverSentToARelayWithoutSTARTTLS() async throws {
        // This relay would take a password in plain text; OneCard must not give it one.
        let relay = try await relay(["--auth", "\(Self.user):\(Self.password)", "--auth-in-clear"])
        let smtp = try settings(["SMTP_URL": "smtp://\(Self.encodedUser):\(Self.encodedPassword)@127.0.0.1:\(relay.port)"])
        try await withTestApp(adjust: { $0.smtp = smtp }) { app in
            try await enqueueInvitation(app)
            let (delivered, row) = try await deliverOnce(app)
            XCTAssertEqual(delivered, 0)
            XCTAssertEqual(row.status, .pending)
            XCTAssertTrue(row.lastError?.contains("does not offer STARTTLS") ?? false, row.lastError ?? "")
        }
        XCTAssertEqual(relay.events, ["EHLO tls=no"], "no AUTH and no MAIL in clear text")
    }

    // The mailer's own last word: even settings built around the configuration checks never put AUTH on a plain connection.
    func testTheMailerSendsNoAUTHOverAPlainConnectionWhateverItIsGiven() async throws {
        let relay = try await relay(["--auth", "\(Self.user):\(Self.password)", "--auth-in-clear"])
        let smtp = SMTPRelaySettings(host: "127.0.0.1", port: relay.port, security: .startTLSIfOffered,
                                     credentials: SMTPCredentials(username: Self.user, password: Self.password))
        try await withTestApp(adjust: { $0.smtp = smtp }) { app in
            try await enqueueInvitation(app)
            let (delivered, row) = try await deliverOnce(app)
            XCTAssertEqual(delivered, 0)
            XCTAssertTrue(row.lastError?.contains("AUTH failed: not sent") ?? false, row.lastError ?? "")
        }
        XCTAssertEqual(relay.events, ["EHLO tls=no"])
    }

    // A reply slipped in after STARTTLS's 220, before the handshake, is refused instead of being read as the
    // relay's answer over TLS (it offers AUTH PLAIN, as a machine in the middle would to steer the sign-in).
    func testAReplyInjectedBeforeTheTLSHandshakeIsRefused() async throws {
        let relay = try await relay(tlsArguments + ["--starttls", "--inject-after-starttls", "--auth", "\(Self.user):\(Self.password)"])
        let smtp = try settings(["SMTP_URL": "smtp://127.0.0.1:\(relay.port)", "SMTP_USERNAME": Self.user,
                                 "SMTP_PASSWORD": Self.password, "SMTP_CA_FILE": certificate])
        try await withTestApp(adjust: { $0.smtp = smtp }) { app in
            try await enqueueInvitation(app)
            let (delivered, row) = try await deliverOnce(app)
            XCTAssertEqual(delivered, 0)
            XCTAssertEqual(row.status, .pending)
            XCTAssertTrue(row.lastError?.contains("out of turn") ?? false, row.lastError ?? "")
        }
        XCTAssertFalse(relay.events.contains { $0.hasPrefix("AUTH") || $0.hasPrefix("MAIL") }, "\(relay.events)")
    }

    // 6. A relay that accepts the connection and never answers: the attempt ends at the configured timeout.
    func testAStalledRelayFailsWithinTheTimeoutAndIsRetried() async throws {
        let relay = try await relay(["--silent"])
        let smtp = try settings(["SMTP_URL": "smtp://127.0.0.1:\(relay.port)", "SMTP_TIMEOUT_SECONDS": "1"])
        XCTAssertEqual(smtp.timeout, .seconds(1))
        try await withTestApp(adjust: { $0.smtp = smtp }) { app in
            try await enqueueInvitation(app)
            let started = Date()
            let (delivered, row) = try await deliverOnce(app)
            // Generous against a busy machine, far below the 30 s default: the setting is what ended the wait.
            XCTAssertLessThan(Date().timeIntervalSince(started), 15)
            XCTAssertEqual(delivered, 0)
            XCTAssertEqual(row.status, .pending)
            XCTAssertEqual(row.attempts, 1)
            XCTAssertEqual(row.lastError, "SMTP greeting failed: no answer within 1 s")
        }
        XCTAssertEqual(relay.events, ["CONNECTED"])
    }
}
