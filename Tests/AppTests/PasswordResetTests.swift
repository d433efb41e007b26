import Fluent
import Foundation
import XCTVapor
@testable import App

/// 忘記密碼: one answer for everyone, a one-time link valid 30 minutes, then the new password works.
final class PasswordResetTests: XCTestCase {
    func link(in app: Application) async throws -> String? {
        let mails = try await OutboxMessage.query(on: app.db).filter(\.$kind == .email).all()
            .map { try sentMail($0, app) }
            .filter { $0.subject == "一證通：重設密碼" }
        guard let body = mails.last?.body, let range = body.range(of: #"/login/reset\?token=[A-Za-z0-9_-]+"#, options: .regularExpression) else { return nil }
        return String(body[range])
    }

    func requestReset(_ app: Application, _ identifier: String) async throws -> XCTHTTPResponse {
        let browser = TestBrowser(app)
        try await browser.get("/login/forgot")
        let response = try await browser.post("/login/forgot", form: ["identifier": identifier])
        try await answerLinkRequests(app)
        return response
    }

    func testTheAnswerIsTheSameForEveryoneAndOnlyARealCardGetsAnEmail() async throws {
        try await withTestApp { app in
            let patron = try await activateCard(app, try await submitApplication(app))
            let known = try await requestReset(app, patron.cardNumber!)
            let unknown = try await requestReset(app, "1001000009999")
            XCTAssertEqual(known.status, .ok)
            XCTAssertEqual(unknown.status, .ok)
            for response in [known, unknown] {
                XCTAssertTrue(response.text.contains("若資料相符且已登記電子信箱，重設密碼連結已寄出"))
            }
            let sent = try await link(in: app)
            XCTAssertNotNil(sent)
            let mails = try await OutboxMessage.query(on: app.db).filter(\.$kind == .email).all().count
            XCTAssertEqual(mails, 3, "application, activation and one reset email")
        }
    }

    func testTheLinkSetsANewPasswordOnceWithinThirtyMinutes() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock, adjust: { $0.signInDelayUnit = 0.001 }) { app in
            let patron = try await activateCard(app, try await submitApplication(app))
            _ = try await requestReset(app, "A123456789")
            let sentPath = try await link(in: app)
            let path = try XCTUnwrap(sentPath)
            let token = String(path.split(separator: "=")[1])
            let browser = TestBrowser(app)
            let form = try await browser.get(path)
            XCTAssertEqual(form.status, .ok)
            let weak = try await browser.post("/login/reset", form: ["token": token, "password": "A123456789", "passwordConfirmation": "A123456789"])
            XCTAssertEqual(weak.status, .unprocessableEntity)
            XCTAssertTrue(weak.text.contains("密碼不可與證號、電話或生日相同。"))
            let done = try await browser.post("/login/reset", form: ["token": token, "password": "new harbor kite tea", "passwordConfirmation": "new harbor kite tea"])
            XCTAssertEqual(done.headers.first(name: .location), "/login?notice=password_reset")
            let again = try await browser.get(path)
            XCTAssertEqual(again.status, .gone, "the link works once")
            try await browser.get("/login")
            let signIn = try await browser.post("/login", form: ["identifier": patron.cardNumber!, "password": "new harbor kite tea"])
            XCTAssertEqual(signIn.status, .seeOther)

            _ = try await requestReset(app, patron.cardNumber!)
            let latePath = try await link(in: app)
            let late = try XCTUnwrap(latePath)
            clock.advance(by: 30 * 60 + 1)
            let expired = try await TestBrowser(app).get(late)
            XCTAssertEqual(expired.status, .gone)
            XCTAssertTrue(expired.text.contains("此重設密碼連結無效、已使用或已逾時"))
        }
    }

    /// The link is redeemed inside the transaction with a re-check, so two forms posted with the same
    /// link at once set one password, not whichever commits last (the drift from the activation link).
    func testTheSameLinkPostedTwiceAtOnceSetsOnePassword() async throws {
        try await withTestApp(adjust: { $0.signInDelayUnit = 0.001 }) { app in
            let patron = try await activateCard(app, try await submitApplication(app))
            _ = try await requestReset(app, patron.cardNumber!)
            let sentPath = try await link(in: app)
            let path = try XCTUnwrap(sentPath)
            let token = String(path.split(separator: "=")[1])
            let passwords = ["amber river lantern", "copper meadow violin", "silver canyon teapot", "velvet orchard compass"]
            var posts: [PreparedPost] = []
            for password in passwords {
                let browser = TestBrowser(app)
                try await browser.get(path)
                posts.append(try PreparedPost(browser, path: "/login/reset",
                                              form: ["password": password, "passwordConfirmation": password, "token": token]))
            }
            let answers = try await PreparedPost.sendAll(posts, to: app)
            let winners = answers.indices.filter { answers[$0] == 303 }
            XCTAssertEqual(winners.count, 1, "\(answers)")
            XCTAssertEqual(answers.filter { $0 == 410 }.count, passwords.count - 1, "\(answers)")
            let saved = try await XCTUnwrapAsync(await Patron.find(patron.id, on: app.db))
            let hash = try XCTUnwrap(saved.passwordHash)
            for (index, password) in passwords.enumerated() {
                XCTAssertEqual(try Bcrypt.verify(password, created: hash), index == winners.first, password)
            }
            let audits = try await AuditEvent.query(on: app.db).filter(\.$action == "reader.password_reset").count()
            XCTAssertEqual(audits, 1)
        }
    }
}
