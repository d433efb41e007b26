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
                // Opening the form starts no session (#13 item 1); one started before sign-in (the captcha's) must not survive it.
                try await browser.get("/apply/captcha.png")
                let before = try XCTUnwrap(browser.cookies["onecard_session"])
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

    /// Issue #12: the lock used to be check → bcrypt → count, so guesses sent at once all passed the
    /// check before any was counted. Each attempt is now counted first and only the first
    /// `lockAfter` of a window reach the password's hash, however many arrive together.
    func testWrongPasswordsSentAtOnceReachTheHashAtMostTenTimesAndLockTheAccount() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock, adjust: { $0.signInDelayUnit = 0.001 }) { app in
            let hasher = CountingPasswordHasher()
            app.passwords.use { _ in hasher }
            let patron = try await activeReader(app)
            let hash = try XCTUnwrap(patron.passwordHash)
            var guesses: [PreparedPost] = []
            for index in 1...60 {
                let browser = TestBrowser(app)
                try await browser.get("/login")
                guesses.append(try PreparedPost(browser, path: "/login",
                                                form: ["identifier": patron.cardNumber!, "password": "wrong guess \(index)"]))
            }
            let answers = try await PreparedPost.sendAll(guesses, to: app)
            XCTAssertEqual(answers, Array(repeating: 401, count: guesses.count))
            XCTAssertEqual(hasher.verifications(of: hash), SignInThrottle.lockAfter,
                           "only the first \(SignInThrottle.lockAfter) guesses of the window are tried against the password")
            let failures = try await AuditEvent.query(on: app.db).filter(\.$action == "reader.sign_in_failed").count()
            XCTAssertEqual(failures, guesses.count, "every guess is audited")

            let locked = try await signIn(TestBrowser(app), patron.cardNumber!)
            XCTAssertEqual(locked.status, .unauthorized, "locked: the right password does not help")
            XCTAssertEqual(hasher.verifications(of: hash), SignInThrottle.lockAfter, "not even tried while locked")
            clock.advance(by: SignInThrottle.window)
            let later = try await signIn(TestBrowser(app), patron.cardNumber!)
            XCTAssertEqual(later.status, .seeOther, "the lock ends with its window")
        }
    }

    /// A successful sign-in gives its count back but does not wipe the failures before it, so the
    /// owner signing in does not hand a guesser a fresh set of tries.
    func testASuccessfulSignInNeitherUsesUpNorClearsTheWindow() async throws {
        try await withTestApp(adjust: { $0.signInDelayUnit = 0.001 }) { app in
            let patron = try await activeReader(app)
            for _ in 1...(SignInThrottle.lockAfter - 1) {
                let wrong = try await signIn(TestBrowser(app), patron.cardNumber!, "wrong password!")
                XCTAssertEqual(wrong.status, .unauthorized)
            }
            for _ in 1...3 {
                let right = try await signIn(TestBrowser(app), patron.cardNumber!)
                XCTAssertEqual(right.status, .seeOther, "successes do not count towards the lock")
            }
            let tenth = try await signIn(TestBrowser(app), patron.cardNumber!, "wrong password!")
            XCTAssertEqual(tenth.status, .unauthorized)
            let locked = try await signIn(TestBrowser(app), patron.cardNumber!)
            XCTAssertEqual(locked.status, .unauthorized, "the failures before the successes still count: the 10th locks")
        }
    }

    /// Issue #12: a new password ends every other session of the reader, so a forgotten browser or a
    /// stolen cookie cannot go on reading the account; the browser that changed it stays signed in.
    func testChangingThePasswordEndsTheReadersOtherSessions() async throws {
        try await withTestApp(adjust: { $0.signInDelayUnit = 0.001 }) { app in
            let (changer, patron) = try await signedInReader(app)
            let other = TestBrowser(app)
            _ = try await signIn(other, patron.cardNumber!)
            let before = try await other.get("/account/my-data.json")
            XCTAssertEqual(before.status, .ok)
            let (stranger, _) = try await signedInReader(app, idNumber: "F234567898")

            try await changer.get("/account/password")
            let changed = try await changer.post("/account/password", form: [
                "currentPassword": "river lantern mango", "password": "quiet harbour lights", "passwordConfirmation": "quiet harbour lights"])
            XCTAssertEqual(changed.headers.first(name: .location), "/account?notice=password_changed")

            let home = try await other.get("/account/home")
            XCTAssertEqual(home.status, .seeOther)
            XCTAssertEqual(home.headers.first(name: .location), "/login", "the other session is over")
            let data = try await other.get("/account/my-data.json")
            XCTAssertEqual(data.status, .seeOther)
            XCTAssertEqual(data.headers.first(name: .location), "/login")
            XCTAssertFalse(data.text.contains("A123456789"))
            let mine = try await changer.get("/account/my-data.json")
            XCTAssertEqual(mine.status, .ok, "the browser that changed the password stays signed in")
            let theirs = try await stranger.get("/account/my-data.json")
            XCTAssertEqual(theirs.status, .ok, "another reader's session is not touched")
        }
    }

    /// Issue #12: a reset (what a reader does when someone else may know the password) ends every
    /// session signed in as them.
    func testResettingThePasswordEndsEverySessionOfTheReader() async throws {
        try await withTestApp(adjust: { $0.signInDelayUnit = 0.001 }) { app in
            let (signedIn, patron) = try await signedInReader(app)
            let before = try await signedIn.get("/account/my-data.json")
            XCTAssertEqual(before.status, .ok)

            let resetter = TestBrowser(app)
            try await resetter.get("/login/forgot")
            try await resetter.post("/login/forgot", form: ["identifier": patron.cardNumber!])
            try await answerLinkRequests(app)
            let mails = try await OutboxMessage.query(on: app.db).filter(\.$kind == .email).all()
                .map { try sentMail($0, app) }
            let body = try XCTUnwrap(mails.last { $0.subject == "一證通：重設密碼" }?.body)
            let range = try XCTUnwrap(body.range(of: #"/login/reset\?token=[A-Za-z0-9_-]+"#, options: .regularExpression))
            let path = String(body[range])
            try await resetter.get(path)
            let done = try await resetter.post("/login/reset", form: [
                "token": String(path.split(separator: "=")[1]), "password": "new harbor kite tea", "passwordConfirmation": "new harbor kite tea"])
            XCTAssertEqual(done.headers.first(name: .location), "/login?notice=password_reset")

            let data = try await signedIn.get("/account/my-data.json")
            XCTAssertEqual(data.status, .seeOther)
            XCTAssertEqual(data.headers.first(name: .location), "/login", "the session from before the reset is over")
            let again = try await signIn(TestBrowser(app), patron.cardNumber!, "new harbor kite tea")
            XCTAssertEqual(again.status, .seeOther)
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
            XCTAssertTrue(account.text.contains(#"<a href="/account/my-data.json" download>下載我的資料（JSON 檔，供程式讀取）</a>"#))
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

    /// Issue #17 item 8: beside the JSON file, the same data as a page in the reader's language, to print or
    /// save; audited like the download, never cached, and only for the signed-in reader.
    func testReadersGetAReadableCopyOfTheirDataToPrintOrSave() async throws {
        try await withTestApp(adjust: { $0.signInDelayUnit = 0.001 }) { app in
            let patron = try await activeReader(app, easyCard: "1234567890123456")
            let browser = TestBrowser(app)
            _ = try await signIn(browser, patron.cardNumber!)
            let account = try await browser.get("/account")
            XCTAssertTrue(account.text.contains(#"<a href="/account/my-data">下載我的資料（可列印的網頁）</a>"#), account.text)

            let page = try await browser.get("/account/my-data")
            XCTAssertEqual(page.status, .ok)
            XCTAssertEqual(page.headers.contentType?.subType, "html")
            XCTAssertEqual(page.headers.first(name: .cacheControl), "no-store")
            let html = page.text
            XCTAssertTrue(html.contains("<h1>我的資料</h1>"), html)
            XCTAssertTrue(html.contains("<dt>證號</dt><dd>A123456789</dd>"), "the reader's own data, in full")
            XCTAssertTrue(html.contains("<dt>悠遊卡卡號</dt><dd>1234567890123456</dd>"), html)
            XCTAssertTrue(html.contains("<dd>\(patron.cardNumber!)</dd>"), html)
            XCTAssertTrue(html.contains("<dt>狀態</dt><dd>已開通</dd>"), "codes in words")
            XCTAssertTrue(html.contains("<dd>臺北市立圖書館 (TPML)</dd>"), html)
            for document in ["TPML_PRIVACY", "TAIPEI_CITY_ID", "NTPL_LINK"] { XCTAssertTrue(html.contains("(\(document))"), document) }
            XCTAssertTrue(html.contains("<td>card.activated</td>"), "the access log too")
            let exports0 = try await AuditEvent.query(on: app.db).filter(\.$action == "patron.exported").count()
            XCTAssertEqual(exports0, 1)

            let english = try await browser.get("/account/my-data?lang=en")
            XCTAssertTrue(english.text.contains("<h1>My data</h1>"), english.text)
            XCTAssertTrue(english.text.contains("<h2>Personal details</h2>"))
            XCTAssertTrue(english.text.contains("<dt>Status</dt><dd>Active</dd>"))
            let exports1 = try await AuditEvent.query(on: app.db).filter(\.$action == "patron.exported").count()
            XCTAssertEqual(exports1, 2)

            // It prints as the data alone.
            let css = try await browser.get("/css/site.css").text
            XCTAssertTrue(css.contains("@media print {\n  .site-header, .site-footer, .skip-link, .no-print { display: none !important; }"), css)

            let anonymous = try await TestBrowser(app).get("/account/my-data")
            XCTAssertEqual(anonymous.status, .seeOther, "only for the signed-in reader")
            XCTAssertFalse(anonymous.text.contains("A123456789"))
            let exports2 = try await AuditEvent.query(on: app.db).filter(\.$action == "patron.exported").count()
            XCTAssertEqual(exports2, 2)
        }
    }
}
