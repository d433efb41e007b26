import Foundation
import NIOPosix
import XCTVapor
@testable import App
import TestSubprocess

/// Delivers through a real SMTP server: aiosmtpd (PyPI), started by the test, saving to a Maildir.
final class SMTPDeliveryTests: XCTestCase {
    var server: RunningProcess?
    var maildir = ""
    var port = 0

    override func setUp() async throws {
        maildir = NSTemporaryDirectory() + "onecard-maildir-\(UUID().uuidString)"
        port = Int.random(in: 20000...40000)
        let process = try RunningProcess(["python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)", "-c", "aiosmtpd.handlers.Mailbox", maildir])
        server = process
        // Wait for the port to accept connections (aiosmtpd starts in well under a second).
        for _ in 0..<100 {
            if let socket = try? await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get() {
                try await socket.close()
                return
            }
            if !process.isRunning {
                await process.exit()
                let output = process.stderrText
                XCTFail("aiosmtpd did not start (install it with `pip install aiosmtpd`, as scripts/test does): \(output)")
                return
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        XCTFail("aiosmtpd did not listen on \(port)")
    }

    override func tearDown() async throws {
        // aiosmtpd stops on SIGINT; SIGKILL if it does not within two seconds.
        await server?.stop(SIGINT, grace: 2)
    }

    func testOutboxDeliversThroughARealSMTPServer() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock, adjust: { $0.smtp = SMTPRelaySettings(host: "127.0.0.1", port: self.port) }) { app in
            try await app.outbox.enqueueEmail(
                template: "staff_invitation", to: "館員 <librarian@example.org>", locale: .zhTW,
                values: ["library": "臺北市立圖書館", "role": "櫃台", "link": "http://127.0.0.1:8080/staff/password?token=abc", "hours": "72"],
                on: app.db)
            let delivered = try await app.outboxWorker.deliverDue()
            XCTAssertEqual(delivered, 1)

            let newDirectory = maildir + "/new"
            let files = try FileManager.default.contentsOfDirectory(atPath: newDirectory)
            XCTAssertEqual(files.count, 1)
            // Let Python's email package, not our code, decode what the server stored.
            let decoded = try await Subprocess.run(["python3", "-c", """
                import email, email.policy, sys
                m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)
                print(m['To']); print(m['Subject']); print(m.get_body(('plain',)).get_content())
                """, newDirectory + "/" + files[0]])
            let text = decoded.stdoutText
            XCTAssertTrue(text.contains("librarian@example.org"), text)
            XCTAssertTrue(text.contains("一證通員工帳號：請設定密碼"), text)
            XCTAssertTrue(text.contains("臺北市立圖書館已為您建立一證通員工帳號（職務：櫃台）"), text)
            XCTAssertTrue(text.contains("http://127.0.0.1:8080/staff/password?token=abc"), text)
        }
    }

    func testAnUnreachableSMTPServerLeavesTheMessagePendingForRetry() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock, adjust: { $0.smtp = SMTPRelaySettings(host: "127.0.0.1", port: 9) }) { app in
            try await app.outbox.enqueueEmail(template: "staff_invitation", to: "a@example.org", locale: .en,
                                              values: [:], on: app.db)
            let awaited3 = try await app.outboxWorker.deliverDue()
            XCTAssertEqual(awaited3, 0)
            let row = try await OutboxMessage.query(on: app.db).first()
            XCTAssertEqual(row?.status, .pending)
            XCTAssertEqual(row?.attempts, 1)
            XCTAssertNotNil(row?.lastError)
        }
    }
}
