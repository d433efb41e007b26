import Fluent
import Foundation
import XCTVapor
@testable import App

/// Issue #12, item 1: an email's one-time link never rests in the outbox in plain text. It waits sealed
/// beside the message, is put back only in the copy that is sent, and is gone once the message is.
final class OneTimeLinkMailTests: XCTestCase {
    /// Every column of the row as text, so a token anywhere in it is found.
    func rowText(_ row: OutboxMessage) -> String {
        [row.payload, row.secretsSealed ?? "", row.lastError ?? "", row.partitionKey ?? ""].joined(separator: "\n")
    }

    func dropFiles(_ app: Application) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: app.settings.mailDropDirectory)) ?? []).filter { $0.hasSuffix(".eml") }.sorted()
    }

    /// The text of a mail-drop file's plain part, as Python's email package reads it.
    func dropBody(_ app: Application, _ file: String) async throws -> String {
        try await MailParts.read(app.settings.mailDropDirectory + "/" + file).plain
    }

    func testAPasswordResetLinkWaitsSealedIsDeliveredWorkingAndIsGoneAfterwards() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock, adjust: { $0.signInDelayUnit = 0.001 }) { app in
            let patron = try await activateCard(app, try await submitApplication(app))
            try await app.outboxWorker.deliverDue()
            let earlier = dropFiles(app)
            let browser = TestBrowser(app)
            try await browser.get("/login/forgot")
            try await browser.post("/login/forgot", form: ["identifier": patron.cardNumber!])
            try await answerLinkRequests(app)
            let row = try await XCTUnwrapAsync(await OutboxMessage.query(on: app.db).filter(\.$status == .pending).first())

            // Before delivery: the stored message shows the placeholder, and no token is anywhere in the row.
            XCTAssertFalse(rowText(row).contains("token="), rowText(row))
            XCTAssertTrue(row.payload.contains("（連結已於寄出後移除）"))
            let sealed = try XCTUnwrap(row.secretsSealed)
            let path = try XCTUnwrap(linkPath("/login/reset", in: try sentMail(row, app).body))
            let token = String(path.split(separator: "=")[1])
            XCTAssertFalse(rowText(row).contains(token))
            XCTAssertFalse(sealed.contains(token))

            // Delivered to the mail drop with the working link.
            try await app.outboxWorker.deliverDue()
            let file = try XCTUnwrap(Set(dropFiles(app)).subtracting(earlier).first)
            let delivered = try await dropBody(app, file)
            XCTAssertEqual(linkPath("/login/reset", in: delivered), path, delivered)
            XCTAssertFalse(delivered.contains("（連結已於寄出後移除）"))

            // After delivery: the sealed link is gone, the placeholder stays, no token anywhere.
            let after = try await XCTUnwrapAsync(await OutboxMessage.find(row.id, on: app.db))
            XCTAssertEqual(after.status, .delivered)
            XCTAssertNil(after.secretsSealed)
            XCTAssertFalse(rowText(after).contains(token))
            XCTAssertTrue(after.payload.contains("（連結已於寄出後移除）"))

            // The delivered link works.
            let reader = TestBrowser(app)
            let form = try await reader.get(path)
            XCTAssertEqual(form.status, .ok)
            let done = try await reader.post("/login/reset", form: ["token": token, "password": "new harbor kite tea",
                                                                    "passwordConfirmation": "new harbor kite tea"])
            XCTAssertEqual(done.headers.first(name: .location), "/login?notice=password_reset")
        }
    }

    func testAStaffInvitationWaitsSealedAndItsDeliveredLinkSetsThePassword() async throws {
        try await withTestApp { app in
            let link = try await staffAccounts(app).create(libraryCode: "TPML", role: "admin", email: "librarian@example.org", locale: .en)
            let token = try XCTUnwrap(URLComponents(url: link, resolvingAgainstBaseURL: false)?.queryItems?.first { $0.name == "token" }?.value)
            let row = try await XCTUnwrapAsync(await OutboxMessage.query(on: app.db).first())
            XCTAssertFalse(rowText(row).contains(token))
            XCTAssertFalse(rowText(row).contains("token="))
            XCTAssertTrue(row.payload.contains("(link removed after sending)"))

            try await app.outboxWorker.deliverDue()
            let file = try XCTUnwrap(dropFiles(app).first)
            let body = try await dropBody(app, file)
            XCTAssertTrue(body.contains(link.absoluteString))
            let after = try await XCTUnwrapAsync(await OutboxMessage.find(row.id, on: app.db))
            XCTAssertEqual(after.status, .delivered)
            XCTAssertNil(after.secretsSealed)
            XCTAssertFalse(rowText(after).contains(token))

            let browser = TestBrowser(app)
            let form = try await browser.get(link.path + "?" + (link.query ?? ""))
            XCTAssertEqual(form.status, .ok)
            let done = try await browser.post("/staff/password", form: ["token": token, "password": "correct horse battery staple",
                                                                        "passwordConfirmation": "correct horse battery staple"])
            XCTAssertEqual(done.headers.first(name: .location), "/staff/login?notice=password_set")
        }
    }

    func testAMessageThatGivesUpKeepsNoSealedLink() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            try await app.outbox.enqueueEmail(template: "staff_invitation", to: "a@example.org", locale: .en,
                                              values: ["library": "Taipei Public Library", "role": "Desk", "hours": "72"],
                                              secrets: ["link": "https://x/staff/password?token=secret-token-value"], on: app.db)
            let mailer = RecordingMailer()
            mailer.setFailing(true)
            let worker = OutboxWorker(database: { [app] in app.db }, clock: clock.oneCardClock, logger: app.logger,
                                      handlers: [.email: OutboxWorker.emailHandler(mailer, vault: app.vault)], maxAttempts: 2)
            try await worker.deliverDue()
            var row = try await XCTUnwrapAsync(await OutboxMessage.query(on: app.db).first())
            XCTAssertEqual(row.status, .pending)
            XCTAssertNotNil(row.secretsSealed, "kept sealed for the next attempt")
            clock.advance(by: 31)
            try await worker.deliverDue()
            row = try await XCTUnwrapAsync(await OutboxMessage.query(on: app.db).first())
            XCTAssertEqual(row.status, .failed)
            XCTAssertNil(row.secretsSealed)
            XCTAssertFalse(rowText(row).contains("secret-token-value"))
        }
    }

    func testAMessageQueuedBeforeLinksWereSealedIsStillDeliveredAsStored() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let old = MailMessage(from: app.settings.mailFrom, to: "old@example.org", subject: "Old", body: "https://x/login/reset?token=old",
                                  messageID: "old@onecard", date: clock.now)
            try await OutboxMessage(kind: .email, partitionKey: nil,
                                    payload: String(decoding: try JSONEncoder.sorted.encode(old), as: UTF8.self), now: clock.now)
                .create(on: app.db)
            let mailer = RecordingMailer()
            let worker = OutboxWorker(database: { [app] in app.db }, clock: clock.oneCardClock, logger: app.logger,
                                      handlers: [.email: OutboxWorker.emailHandler(mailer, vault: app.vault)])
            let delivered = try await worker.deliverDue()
            XCTAssertEqual(delivered, 1)
            XCTAssertEqual(mailer.sent, [old])
        }
    }

    func testAGroupCardHoldersActivationLinkAndTheContactsSignInLinkWaitSealed() async throws {
        try await withTestApp { app in
            let organization = try await GroupFixtures.approved(app)
            _ = organization
            let rows = try await OutboxMessage.query(on: app.db).filter(\.$kind == .email).all()
            let withLinks = rows.filter { $0.secretsSealed != nil }
            XCTAssertFalse(withLinks.isEmpty, "the approval email carries the contact's sign-in link")
            for row in rows {
                XCTAssertFalse(rowText(row).contains("token="), row.payload)
            }
            for row in withLinks {
                XCTAssertTrue(try sentMail(row, app).body.contains("token="))
            }
        }
    }
}
