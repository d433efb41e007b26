import Fluent
import Foundation
import OneCardDomain
import XCTVapor
@testable import App

final class ReaderSessionTests: XCTestCase {
    /// An active reader made through the real application and activation services.
    func activeReader(_ app: Application, idNumber: String = "A123456789", easyCard: String = "") async throws -> Patron {
        try await activateCard(app, try await submitApplication(app, idNumber: idNumber, links: ["NTPL"]), easyCard: easyCard)
    }

    func signIn(_ browser: TestBrowser, _ identifier: String, _ password: String = "river lantern mango") async throws -> XCTHTTPResponse {
        try await browser.get("/login")
        return try await browser.post("/login", form: ["identifier": identifier, "password": password])
    }

    func testReadersSignInWithCardNumberIDNumberOrEasyCardAndSeeTheirAccount() async throws {
        try await withTestApp(adjust: { $0.signInDelayUnit = 0.001 }) { app in
            let patron = try await activeReader(app, easyCard: "1234567890123456")
            for identifier in [patron.cardNumber!, "a123456789", "Ａ１２３４５６７８９", "1234 5678 9012 3456"] {
                let browser = TestBrowser(app)
                try await browser.get("/login")
                let before = browser.cookies["onecard_session"]
                let response = try await browser.post("/login", form: ["identifier": identifier, "password": "river lantern mango"])
                XCTAssertEqual(response.status, .seeOther, identifier)
                XCTAssertEqual(response.headers.first(name: .location), "/account/home")
                XCTAssertNotEqual(browser.cookies["onecard_session"], before, "a new session id at sign-in")
                let account = try await browser.get("/account")
                XCTAssertTrue(account.text.contains("<h1>我的帳戶</h1>"), identifier)
                XCTAssertTrue(account.text.contains(patron.cardNumber!))
                XCTAssertTrue(account.text.contains("A12****789"))
                XCTAssertFalse(account.text.contains("A123456789"), "the ID number is masked")
                XCTAssertTrue(account.text.contains("臺北市立圖書館讀者辦理圖書借閱證個人資料維護聲明"))
                XCTAssertTrue(account.text.contains("結合新北市圖借閱證個人資料同意書"))
                XCTAssertTrue(account.text.contains("啟用新北市公共圖書館一證通用服務"))
            }
            let signedOut = TestBrowser(app)
            let redirect = try await signedOut.get("/account")
            XCTAssertEqual(redirect.headers.first(name: .location), "/login")
        }
    }

    func testEveryFailureGetsTheSameMessageAndPendingApplicantsCannotSignIn() async throws {
        try await withTestApp(adjust: { $0.signInDelayUnit = 0.001 }) { app in
            let patron = try await activeReader(app)
            let pending = try await submitApplication(app, idNumber: "F234567898")
            let wrong = try await signIn(TestBrowser(app), patron.cardNumber!, "not the password")
            let unknown = try await signIn(TestBrowser(app), "1001000009999", "river lantern mango")
            let notYet = try await signIn(TestBrowser(app), "F234567898")
            for response in [wrong, unknown, notYet] {
                XCTAssertEqual(response.status, .unauthorized)
                XCTAssertTrue(response.text.contains("帳號或密碼不正確，或嘗試次數過多"))
                XCTAssertFalse(response.text.contains("not the password"))
            }
            XCTAssertEqual(pending.status, .pending)
            XCTAssertTrue(wrong.text.contains(#"value="\#(patron.cardNumber!)""#), "what was typed is kept")
        }
    }

    func testTenFailuresLockTheAccountForTheWindowEvenWithTheRightPassword() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock, adjust: { $0.signInDelayUnit = 0.001 }) { app in
            let patron = try await activeReader(app)
            for _ in 1...SignInThrottle.lockAfter {
                let response = try await signIn(TestBrowser(app), patron.cardNumber!, "wrong password!")
                XCTAssertEqual(response.status, .unauthorized)
            }
            let locked = try await signIn(TestBrowser(app), patron.cardNumber!)
            XCTAssertEqual(locked.status, .unauthorized, "locked: the right password does not help")
            XCTAssertTrue(locked.text.contains("帳號或密碼不正確，或嘗試次數過多"), "the lock is not revealed")
            let failures = try await AuditEvent.query(on: app.db).filter(\.$action == "reader.sign_in_failed").count()
            XCTAssertEqual(failures, SignInThrottle.lockAfter + 1)
            clock.advance(by: SignInThrottle.window)
            let later = try await signIn(TestBrowser(app), patron.cardNumber!)
            XCTAssertEqual(later.status, .seeOther, "the lock ends with its window")
        }
    }

    func testTheThrottleStaysFarBelowAHundredFailuresAnHour() {
        // Per 15-minute window at most `lockAfter` failures are checked against the password.
        XCTAssertLessThanOrEqual(SignInThrottle.lockAfter * Int(3600 / SignInThrottle.window), 100)
    }

    func testReadersDownloadEverythingHeldAboutThemAndTheDownloadIsAudited() async throws {
        try await withTestApp(adjust: { $0.signInDelayUnit = 0.001 }) { app in
            let patron = try await activeReader(app, easyCard: "1234567890123456")
            let browser = TestBrowser(app)
            _ = try await signIn(browser, patron.cardNumber!)
            let account = try await browser.get("/account")
            XCTAssertTrue(account.text.contains(#"<a href="/account/my-data.json" download>下載我的資料（JSON）</a>"#))
            let response = try await browser.get("/account/my-data.json")
            XCTAssertEqual(response.status, .ok)
            XCTAssertEqual(response.headers.contentType, .json)
            XCTAssertTrue(response.headers.first(name: .contentDisposition)?.contains("attachment") ?? false)
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(response.body.string.utf8)) as? [String: Any])
            let person = try XCTUnwrap(object["person"] as? [String: Any])
            XCTAssertEqual(person["idNumber"] as? String, "A123456789", "the reader's own data, in full")
            XCTAssertEqual(person["easyCard"] as? String, "1234567890123456")
            XCTAssertEqual((object["card"] as? [String: Any])?["cardNumber"] as? String, patron.cardNumber)
            let consents = try XCTUnwrap(object["consents"] as? [[String: Any]])
            XCTAssertEqual(Set(consents.compactMap { $0["document"] as? String }), ["TPML_PRIVACY", "TAIPEI_CITY_ID", "NTPL_LINK"])
            let log = try XCTUnwrap(object["accessLog"] as? [[String: Any]])
            XCTAssertTrue(log.contains { $0["action"] as? String == "card.activated" })
            let exports = try await AuditEvent.query(on: app.db).filter(\.$action == "patron.exported").count()
            XCTAssertEqual(exports, 1)
            let anonymous = try await TestBrowser(app).get("/account/my-data.json")
            XCTAssertEqual(anonymous.status, .seeOther, "only for the signed-in reader")
        }
    }
}

