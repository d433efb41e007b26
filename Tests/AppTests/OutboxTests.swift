import Fluent
import Foundation
import NIOConcurrencyHelpers
import XCTVapor
@testable import App

/// Records what it was asked to send and fails while `failing` is true.
final class RecordingMailer: Mailer {
    private let state = NIOLockedValueBox<(sent: [MailMessage], failing: Bool)>(([], false))
    var sent: [MailMessage] { state.withLockedValue { $0.sent } }
    func setFailing(_ failing: Bool) { state.withLockedValue { $0.failing = failing } }

    func send(_ message: MailMessage) async throws {
        try state.withLockedValue {
            if $0.failing { throw SMTPMailer.SMTPError(stage: "test", reply: "421 try later") }
            $0.sent.append(message)
        }
    }
}

final class OutboxTests: XCTestCase {
    func worker(_ app: Application, clock: TestClock, mailer: any Mailer, maxAttempts: Int = 12) -> OutboxWorker {
        OutboxWorker(database: { [app] in app.db }, clock: clock.oneCardClock, logger: app.logger,
                     handlers: [.email: OutboxWorker.emailHandler(mailer, vault: app.vault)], maxAttempts: maxAttempts)
    }

    func enqueue(_ app: Application, to: String, on db: any Database) async throws {
        try await app.outbox.enqueueEmail(template: "staff_invitation", to: to, locale: .en,
                                          values: ["library": "Taipei Public Library", "role": "Desk", "link": "https://x/y", "hours": "72"],
                                          on: db)
    }

    struct Rollback: Error {}

    func testDeliveredEmailsAreEmptiedAfterThirtyDaysAndTheirMailDropCopiesRemoved() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let patron = try await submitApplication(app)
            try await app.outboxWorker.deliverDue()
            let drop = { (try? FileManager.default.contentsOfDirectory(atPath: app.settings.mailDropDirectory))?.filter { $0.hasSuffix(".eml") } ?? [] }
            XCTAssertEqual(drop().count, 1)
            clock.advance(by: 29 * 86_400)
            let early = try await PatronMail.emptyDelivered(now: clock.now, on: app.db, mailDropDirectory: app.settings.mailDropDirectory, logger: app.logger)
            XCTAssertEqual(early, 0, "kept whole for 30 days")
            clock.advance(by: 2 * 86_400)
            let emptied = try await PatronMail.emptyDelivered(now: clock.now, on: app.db, mailDropDirectory: app.settings.mailDropDirectory, logger: app.logger)
            XCTAssertEqual(emptied, 1)
            let row = try await XCTUnwrapAsync(await OutboxMessage.query(on: app.db).filter(\.$kind == .email).first())
            XCTAssertEqual(row.status, .delivered)
            for text in ["wang@example.org", "王小明", patron.applicationNumber] {
                XCTAssertFalse(row.payload.contains(text), text)
            }
            XCTAssertEqual(drop(), [])
            let again = try await PatronMail.emptyDelivered(now: clock.now, on: app.db, mailDropDirectory: app.settings.mailDropDirectory, logger: app.logger)
            XCTAssertEqual(again, 0, "an emptied message is not touched again")
        }
    }

    func testAMessageMarkedEmptiedOnceSentKeepsNothingOnceDeliveredOrGivenUp() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            func enqueue(_ to: String) async throws {
                try await app.outbox.enqueueEmail(template: "staff_invitation", to: to, locale: .en,
                                                  values: ["library": "Taipei Public Library", "role": "Desk", "link": "https://x/y", "hours": "72"],
                                                  emptiedOnceSent: to != "kept@example.org", on: app.db)
            }
            try await enqueue("kept@example.org")
            try await enqueue("delivered@example.org")
            let mailer = RecordingMailer()
            try await worker(app, clock: clock, mailer: mailer).deliverDue()
            XCTAssertEqual(mailer.sent.map(\.to), ["kept@example.org", "delivered@example.org"], "sent whole")
            try await enqueue("refused@example.org")
            mailer.setFailing(true)
            try await worker(app, clock: clock, mailer: mailer, maxAttempts: 1).deliverDue()

            let rows = try await OutboxMessage.query(on: app.db).sort(\.$id).all()
            XCTAssertEqual(rows.map(\.status), [.delivered, .delivered, .failed])
            let stored = try rows.map { try JSONDecoder().decode(MailMessage.self, from: Data($0.payload.utf8)) }
            XCTAssertEqual(stored[0].to, "kept@example.org", "unmarked: kept whole for 30 days")
            XCTAssertEqual(stored[1], PatronMail.emptied(mailer.sent[1]))
            XCTAssertEqual([stored[2].to, stored[2].subject, stored[2].body], ["", "", ""], "given up: nothing will send it")
            XCTAssertNil(rows[2].lastError, "an SMTP refusal may quote the address")
        }
    }

    func testAMessageQueuedInARolledBackTransactionIsNeverSent() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            do {
                try await app.db.transaction { db in
                    try await app.outbox.enqueueEmail(template: "staff_invitation", to: "ghost@example.org", locale: .en, values: [:], on: db)
                    throw Rollback()
                }
            } catch is Rollback {}
            try await enqueue(app, to: "real@example.org", on: app.db)
            let mailer = RecordingMailer()
            let delivered = try await worker(app, clock: clock, mailer: mailer).deliverDue()
            XCTAssertEqual(delivered, 1)
            XCTAssertEqual(mailer.sent.map(\.to), ["real@example.org"])
            XCTAssertEqual(mailer.sent[0].subject, "OneCard staff account: set your password")
            let row = try await OutboxMessage.query(on: app.db).first()
            XCTAssertEqual(row?.status, .delivered)
            XCTAssertEqual(row?.attempts, 1)
            let awaited4 = try await worker(app, clock: clock, mailer: mailer).deliverDue()
            XCTAssertEqual(awaited4, 0, "delivered once only")
        }
    }

    func testFailedDeliveriesAreRetriedWithBackoffAndGiveUpAfterTheLimit() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            try await enqueue(app, to: "a@example.org", on: app.db)
            let mailer = RecordingMailer()
            mailer.setFailing(true)
            let worker = worker(app, clock: clock, mailer: mailer, maxAttempts: 3)
            let awaited5 = try await worker.deliverDue()
            XCTAssertEqual(awaited5, 0)
            var row = try await OutboxMessage.query(on: app.db).first()!
            XCTAssertEqual(row.attempts, 1)
            XCTAssertEqual(row.status, .pending)
            XCTAssertEqual(row.availableAt.timeIntervalSince(clock.now), 30, accuracy: 0.5)
            XCTAssertTrue(row.lastError?.contains("421") ?? false)

            let awaited6 = try await worker.deliverDue()
            XCTAssertEqual(awaited6, 0)
            let awaited7 = try await OutboxMessage.query(on: app.db).first()!.attempts
            XCTAssertEqual(awaited7, 1, "not due yet: no second attempt")
            clock.advance(by: 31)
            _ = try await worker.deliverDue()
            row = try await OutboxMessage.query(on: app.db).first()!
            XCTAssertEqual(row.attempts, 2)
            XCTAssertEqual(row.availableAt.timeIntervalSince(clock.now), 60, accuracy: 0.5, "backoff doubles")

            clock.advance(by: 61)
            _ = try await worker.deliverDue()
            row = try await OutboxMessage.query(on: app.db).first()!
            XCTAssertEqual(row.status, .failed)
            XCTAssertEqual(row.attempts, 3)
            let metrics = try await TestBrowser(app).get("/metrics").text
            XCTAssertTrue(metrics.contains(#"onecard_outbox_messages{status="failed"} 1"#))
        }
    }

    func testMessagesSharingAPartitionKeyAreDeliveredInOrderOneAtATime() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            for index in 1...3 {
                try await OutboxMessage(kind: .partnerEvent, partitionKey: "patron-1", payload: "{\"n\":\(index)}", now: clock.now).create(on: app.db)
            }
            try await OutboxMessage(kind: .partnerEvent, partitionKey: "patron-2", payload: "{\"n\":9}", now: clock.now).create(on: app.db)
            let seen = NIOLockedValueBox<[String]>([])
            let failFirst = NIOLockedValueBox(true)
            let worker = OutboxWorker(
                database: { [app] in app.db }, clock: clock.oneCardClock, logger: app.logger,
                handlers: [.partnerEvent: { message in
                    if message.payload == "{\"n\":1}", failFirst.withLockedValue({ $0 }) {
                        throw SMTPMailer.SMTPError(stage: "test", reply: "partner down")
                    }
                    seen.withLockedValue { $0.append(message.payload) }
                }]
            )
            _ = try await worker.deliverDue()
            XCTAssertEqual(seen.withLockedValue { $0 }, ["{\"n\":9}"], "patron-1 waits behind its failed first event; patron-2 is not held up")
            failFirst.withLockedValue { $0 = false }
            clock.advance(by: 31)
            _ = try await worker.deliverDue()
            XCTAssertEqual(seen.withLockedValue { $0 }, ["{\"n\":9}", "{\"n\":1}", "{\"n\":2}", "{\"n\":3}"])
        }
    }

    func testWithoutSMTPMessagesBecomeEmlFilesInTheDataDirectory() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            try await enqueue(app, to: "reader@example.org", on: app.db)
            try await app.outboxWorker.deliverDue()
            let directory = app.settings.dataDirectory + "/mail"
            let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".eml") }
            XCTAssertEqual(files.count, 1)
            let raw = try String(contentsOfFile: directory + "/" + files[0], encoding: .utf8)
            XCTAssertTrue(raw.contains("To: reader@example.org\r\n"))
            XCTAssertTrue(raw.contains("Content-Type: text/plain; charset=UTF-8"))
            let mode = try FileManager.default.attributesOfItem(atPath: directory + "/" + files[0])[.posixPermissions] as! NSNumber
            XCTAssertEqual(mode.intValue & 0o077, 0, "mail drop files are owner-only")
        }
    }

    func testMailIsEncodedForNonASCIIHeadersAndBodies() throws {
        let message = MailMessage(from: "一證通 <no-reply@onecard.tw>", to: "讀者 <reader@example.org>", subject: "借閱證申辦成功",
                                  body: "第一行\n.第二行以句點開頭", messageID: "abc@onecard", date: Date(timeIntervalSince1970: 0))
        let raw = message.rfc5322()
        XCTAssertTrue(raw.contains("Subject: =?UTF-8?B?\(Data("借閱證申辦成功".utf8).base64EncodedString())?=\r\n"))
        XCTAssertTrue(raw.contains("From: =?UTF-8?B?\(Data("一證通".utf8).base64EncodedString())?= <no-reply@onecard.tw>"))
        XCTAssertEqual(message.toAddress, "reader@example.org")
        XCTAssertFalse(raw.contains("\n.") && !raw.contains("\r\n."), "CRLF line ends")
        XCTAssertTrue(raw.split(separator: "\r\n").allSatisfy { $0.count <= 998 })
    }
}
