import Fluent
import Foundation
import XCTVapor
@testable import App

final class StaffTests: XCTestCase {
    /// Creates a staff account the way `onecard staff create` does and returns the link's token.
    func createStaff(_ app: Application, role: String = "admin", library: String = "TPML",
                     email: String = "librarian@example.org") async throws -> String {
        let link = try await staffAccounts(app).create(libraryCode: library, role: role, email: email, locale: .zhTW)
        let token = URLComponents(url: link, resolvingAgainstBaseURL: false)?.queryItems?.first { $0.name == "token" }?.value
        XCTAssertEqual(link.path, "/staff/password")
        return try XCTUnwrap(token)
    }

    func setPassword(_ browser: TestBrowser, token: String, _ password: String = "correct horse battery staple") async throws {
        let form = try await browser.get("/staff/password?token=\(token)")
        XCTAssertEqual(form.status, .ok)
        let done = try await browser.post("/staff/password", form: ["token": token, "password": password, "passwordConfirmation": password])
        XCTAssertEqual(done.status, .seeOther)
        XCTAssertEqual(done.headers.first(name: .location), "/staff/login?notice=password_set")
    }

    func testStaffSignInLocksAfterTenFailuresLikeReaders() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock, adjust: { $0.signInDelayUnit = 0.001 }) { app in
            let browser = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            try await browser.get("/staff")
            try await browser.post("/staff/logout", form: [:])
            func attempt(_ password: String) async throws -> XCTHTTPResponse {
                let fresh = TestBrowser(app)
                try await fresh.get("/staff/login")
                return try await fresh.post("/staff/login", form: ["email": "admin@tpml.example", "password": password])
            }
            for _ in 1...SignInThrottle.lockAfter {
                let wrong = try await attempt("not the password at all")
                XCTAssertEqual(wrong.status, .unauthorized)
            }
            let locked = try await attempt("correct horse battery staple")
            XCTAssertEqual(locked.status, .unauthorized, "locked: the right password does not help")
            let failures = try await AuditEvent.query(on: app.db).filter(\.$action == "staff.sign_in_failed").count()
            XCTAssertEqual(failures, SignInThrottle.lockAfter + 1)
            clock.advance(by: SignInThrottle.window)
            let later = try await attempt("correct horse battery staple")
            XCTAssertEqual(later.status, .seeOther, "the lock ends with its window")
        }
    }

    /// Issue #12: staff sign-in counts each attempt before bcrypt, so wrong passwords sent at once
    /// reach the account's hash at most `lockAfter` times and lock it.
    func testStaffGuessesSentAtOnceReachTheHashAtMostTenTimesAndLockTheAccount() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock, adjust: { $0.signInDelayUnit = 0.001 }) { app in
            let hasher = CountingPasswordHasher()
            app.passwords.use { _ in hasher }
            _ = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let staff = try await XCTUnwrapAsync(await StaffMember.query(on: app.db).filter(\.$email == "admin@tpml.example").first())
            let hash = try XCTUnwrap(staff.passwordHash)
            let before = hasher.verifications(of: hash)
            var guesses: [PreparedPost] = []
            for index in 1...40 {
                let browser = TestBrowser(app)
                try await browser.get("/staff/login")
                guesses.append(try PreparedPost(browser, path: "/staff/login",
                                                form: ["email": "admin@tpml.example", "password": "wrong guess \(index)"]))
            }
            let answers = try await PreparedPost.sendAll(guesses, to: app)
            XCTAssertEqual(answers, Array(repeating: 401, count: guesses.count))
            XCTAssertEqual(hasher.verifications(of: hash) - before, SignInThrottle.lockAfter)

            let fresh = TestBrowser(app)
            try await fresh.get("/staff/login")
            let locked = try await fresh.post("/staff/login", form: ["email": "admin@tpml.example", "password": "correct horse battery staple"])
            XCTAssertEqual(locked.status, .unauthorized, "locked: the right password does not help")
            clock.advance(by: SignInThrottle.window)
            let later = try await fresh.post("/staff/login", form: ["email": "admin@tpml.example", "password": "correct horse battery staple"])
            XCTAssertEqual(later.status, .seeOther, "the lock ends with its window")
        }
    }

    /// Issue #12: setting a new password (with a fresh link) ends every session signed in as that
    /// staff member, and no one else's.
    func testSettingAPasswordEndsTheStaffMembersSessions() async throws {
        try await withTestApp(adjust: { $0.signInDelayUnit = 0.001 }) { app in
            let first = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let second = TestBrowser(app)
            try await second.get("/staff/login")
            let signedIn = try await second.post("/staff/login", form: ["email": "admin@tpml.example", "password": "correct horse battery staple"])
            XCTAssertEqual(signedIn.status, .seeOther)
            // An administrator's second factor (issue #14 item 6), from the app enrolled by the first sign-in.
            try await second.get("/staff/login/code")
            let code = try await secondFactorCode(app, email: "admin@tpml.example")
            let secondFactor = try await second.post("/staff/login/code", form: ["code": code])
            XCTAssertEqual(secondFactor.status, .seeOther)
            let colleague = try await signedInStaff(app, role: "desk", email: "desk@tpml.example")
            for browser in [first, second, colleague] {
                let home = try await browser.get("/staff")
                XCTAssertEqual(home.status, .ok)
            }

            // A new link, as an administrator would issue after a suspected leak.
            let staff = try await XCTUnwrapAsync(await StaffMember.query(on: app.db).filter(\.$email == "admin@tpml.example").first())
            let issued = OneTimeLinks<StaffMember>(now: app.clock.now()).issue(lifetime: 3600)
            staff.passwordTokenHash = issued.hash
            staff.passwordTokenExpiresAt = issued.expiresAt
            try await staff.save(on: app.db)
            try await setPassword(TestBrowser(app), token: issued.token, "a brand new staple horse")

            for browser in [first, second] {
                let out = try await browser.get("/staff")
                XCTAssertEqual(out.headers.first(name: .location), "/staff/login", "sessions with the old password are over")
            }
            let stillIn = try await colleague.get("/staff")
            XCTAssertEqual(stillIn.status, .ok, "a colleague's session is not touched")
            try await first.get("/staff/login")
            let again = try await first.post("/staff/login", form: ["email": "admin@tpml.example", "password": "a brand new staple horse"])
            XCTAssertEqual(again.status, .seeOther)
        }
    }

    func testStateChangingFormsWithoutTheSessionsCSRFTokenAreRefused() async throws {
        try await withTestApp { app in
            let browser = TestBrowser(app)
            try await browser.get("/staff/login")
            let missing = try await browser.post("/staff/login", form: ["email": "a@b.tw", "password": "x"], includeCSRF: false)
            XCTAssertEqual(missing.status, .forbidden)
            XCTAssertTrue(missing.text.contains("表單已過期或來源不明"))
            let forged = try await browser.post("/staff/login", form: ["email": "a@b.tw", "password": "x"], csrf: "forged")
            XCTAssertEqual(forged.status, .forbidden)
            // A token from another visitor's session is worth nothing here.
            let other = TestBrowser(app)
            try await other.get("/staff/login")
            let stolen = try await TestBrowser(app).post("/staff/login", form: ["email": "a@b.tw", "password": "x"], csrf: other.lastCSRFToken)
            XCTAssertEqual(stolen.status, .forbidden)
            let proper = try await browser.post("/staff/login", form: ["email": "a@b.tw", "password": "x"])
            XCTAssertEqual(proper.status, .unauthorized, "with the right token the form is processed")
        }
    }

    func testEveryStateChangingRouteOutsideTheAPIRefusesARequestWithoutTheToken() async throws {
        try await withTestApp { app in
            let browser = TestBrowser(app)
            try await browser.get("/")
            let stateChanging = app.routes.all.filter { ![.GET, .HEAD, .OPTIONS].contains($0.method) }
                .filter { $0.path.first?.description != "api" }
            // Servers call the OpenID Connect token endpoints with their own credentials, like /api (#15): exactly these are exempt.
            let exempt = stateChanging.filter { $0.userInfo[CSRFMiddleware.exemptionKey] as? Bool == true }.map { "/" + $0.path.string }
            XCTAssertEqual(Set(exempt), ["/oidc/token", "/oidc/userinfo", "/oidc/revoke", "/oidc/introspect"])
            let routes = stateChanging.filter { $0.userInfo[CSRFMiddleware.exemptionKey] as? Bool != true }
            XCTAssertGreaterThan(routes.count, 30, "the site has many forms; the list must not be empty by mistake")
            for route in routes {
                let path = "/" + route.path.map { component -> String in
                    if case .constant(let text) = component { return text }
                    return UUID().uuidString
                }.joined(separator: "/")
                let refused = try await browser.post(path, form: ["anything": "x"], includeCSRF: false)
                XCTAssertEqual(refused.status, .forbidden, "\(route.method) \(path)")
            }
        }
    }

    /// The invitation is redeemed inside the transaction with a re-check (the one one-time-link
    /// mechanism), so two forms posted with the same link at once set one password.
    func testTheSameInvitationPostedTwiceAtOnceSetsOnePassword() async throws {
        try await withTestApp { app in
            let token = try await createStaff(app)
            let passwords = ["amber river lantern 7", "copper meadow violin 7", "silver canyon teapot 7"]
            var posts: [PreparedPost] = []
            for password in passwords {
                let browser = TestBrowser(app)
                try await browser.get("/staff/password?token=\(token)")
                posts.append(try PreparedPost(browser, path: "/staff/password",
                                              form: ["password": password, "passwordConfirmation": password, "token": token]))
            }
            let answers = try await PreparedPost.sendAll(posts, to: app)
            let winners = answers.indices.filter { answers[$0] == 303 }
            XCTAssertEqual(winners.count, 1, "\(answers)")
            XCTAssertEqual(answers.filter { $0 == 410 }.count, passwords.count - 1, "\(answers)")
            let saved = try await XCTUnwrapAsync(await StaffMember.query(on: app.db).filter(\.$email == "librarian@example.org").first())
            let hash = try XCTUnwrap(saved.passwordHash)
            for (index, password) in passwords.enumerated() {
                XCTAssertEqual(try Bcrypt.verify(password, created: hash), index == winners.first, password)
            }
            let audits = try await AuditEvent.query(on: app.db).filter(\.$action == "staff.password_set").count()
            XCTAssertEqual(audits, 1)
        }
    }

    func testNewStaffSetsAPasswordThroughTheOneTimeLinkAndSignsIn() async throws {
        try await withTestApp { app in
            let token = try await createStaff(app)
            let staff = try await XCTUnwrapAsync(await StaffMember.query(on: app.db).filter(\.$email == "librarian@example.org").first())
            XCTAssertNil(staff.passwordHash)
            XCTAssertNotEqual(staff.passwordTokenHash, token, "only the token's hash is stored")

            let browser = TestBrowser(app)
            try await browser.get("/staff/password?token=\(token)")
            let short = try await browser.post("/staff/password", form: ["token": token, "password": "short", "passwordConfirmation": "short"])
            XCTAssertEqual(short.status, .unprocessableEntity)
            XCTAssertTrue(short.text.contains("密碼至少需要 12 個字元。"))
            XCTAssertTrue(short.text.contains(#"aria-invalid="true""#))
            XCTAssertFalse(short.text.contains("value=\"short\""), "a password is never echoed back")
            let mismatch = try await browser.post("/staff/password", form: ["token": token, "password": "correct horse battery staple", "passwordConfirmation": "correct horse battery"])
            XCTAssertTrue(mismatch.text.contains("兩次輸入的密碼不一致。"))
            let stillUnset = try await StaffMember.find(staff.id, on: app.db)
            XCTAssertNil(stillUnset?.passwordHash, "nothing is written while the form has errors")

            try await setPassword(browser, token: token)
            let saved = try await XCTUnwrapAsync(await StaffMember.find(staff.id, on: app.db))
            let hash = try XCTUnwrap(saved.passwordHash)
            XCTAssertTrue(hash.hasPrefix("$2b$") || hash.hasPrefix("$2a$") || hash.hasPrefix("$2y$"), "bcrypt")
            let cost = Int(hash.split(separator: "$")[1])!
            XCTAssertGreaterThanOrEqual(cost, 10)
            XCTAssertNil(saved.passwordTokenHash)

            let reused = try await browser.get("/staff/password?token=\(token)")
            XCTAssertEqual(reused.status, .gone, "the link works once")
            XCTAssertTrue(reused.text.contains("此設定密碼連結無效或已過期"))

            let notice = try await browser.get("/staff/login?notice=password_set")
            XCTAssertTrue(notice.text.contains("密碼已設定，請登入。"))
            // A visitor who only opens the sign-in form has no session (#13 item 1); one started before sign-in
            // (here by the application form's captcha) must not survive it.
            try await browser.get("/apply/captcha.png")
            let beforeSignIn = browser.cookies["onecard_session"]
            XCTAssertNotNil(beforeSignIn)
            let signIn = try await browser.post("/staff/login", form: ["email": "Librarian@Example.org ", "password": "correct horse battery staple"])
            XCTAssertEqual(signIn.status, .seeOther)
            // An administrator goes on to enrol the second factor (issue #14 item 6).
            XCTAssertEqual(signIn.headers.first(name: .location), "/staff/login/enrol")
            XCTAssertNotEqual(browser.cookies["onecard_session"], beforeSignIn, "signing in starts a new session id")
            let cookie = signIn.headers[.setCookie].joined()
            XCTAssertTrue(cookie.contains("HttpOnly"))
            XCTAssertTrue(cookie.lowercased().contains("samesite=lax"))
            let pastPassword = browser.cookies["onecard_session"]
            try await enrolSecondFactor(app, browser)
            XCTAssertNotEqual(browser.cookies["onecard_session"], pastPassword, "completing the second factor starts a new session id too")

            let home = try await browser.get("/staff")
            XCTAssertEqual(home.status, .ok)
            XCTAssertTrue(home.text.contains("librarian@example.org"))
            XCTAssertTrue(home.text.contains("系統管理員"))
            XCTAssertTrue(home.text.contains("臺北市立圖書館"))
            XCTAssertEqual(home.headers.first(name: .cacheControl), "no-store")

            let signOut = try await browser.post("/staff/logout", form: [:])
            XCTAssertEqual(signOut.status, .seeOther)
            let afterSignOut = try await browser.get("/staff")
            XCTAssertEqual(afterSignOut.headers.first(name: .location), "/staff/login")
        }
    }

    func testExpiredPasswordLinkIsRefused() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let token = try await createStaff(app)
            clock.advance(by: 72 * 3600 + 1)
            let response = try await TestBrowser(app).get("/staff/password?token=\(token)")
            XCTAssertEqual(response.status, .gone)
            let nonsense = try await TestBrowser(app).get("/staff/password?token=nonsense")
            XCTAssertEqual(nonsense.status, .gone)
        }
    }

    func testWrongPasswordAndUnknownEmailGetTheSameMessageAndAreAudited() async throws {
        try await withTestApp { app in
            let token = try await createStaff(app)
            let browser = TestBrowser(app)
            try await setPassword(browser, token: token)
            try await browser.get("/staff/login")
            let wrong = try await browser.post("/staff/login", form: ["email": "librarian@example.org", "password": "not the password"])
            let unknown = try await browser.post("/staff/login", form: ["email": "nobody@example.org", "password": "not the password"])
            for response in [wrong, unknown] {
                XCTAssertEqual(response.status, .unauthorized)
                XCTAssertTrue(response.text.contains("電子郵件或密碼不正確。"))
                XCTAssertFalse(response.text.contains("not the password"))
            }
            XCTAssertTrue(wrong.text.contains(#"value="librarian@example.org""#), "the email typed is kept")
            let failures = try await AuditEvent.query(on: app.db).filter(\.$action == "staff.sign_in_failed").all()
            XCTAssertEqual(failures.count, 2)
            XCTAssertEqual(failures.compactMap(\.subjectID).count, 1, "only the known account is named")
            let empty = try await browser.post("/staff/login", form: ["email": "", "password": ""])
            XCTAssertEqual(empty.status, .unprocessableEntity)
            XCTAssertTrue(empty.text.contains("請輸入電子郵件。"))
            XCTAssertTrue(empty.text.contains("請輸入密碼。"))
        }
    }

    func testAuditTrailIsForAdministratorsOfTheirOwnLibraryAndLookingIsAudited() async throws {
        try await withTestApp { app in
            let adminToken = try await createStaff(app, role: "admin", email: "admin@tpml.example")
            let deskToken = try await createStaff(app, role: "desk", email: "desk@tpml.example")
            let otherToken = try await createStaff(app, role: "admin", library: "NTPL", email: "admin@ntpl.example")

            let desk = TestBrowser(app)
            try await setPassword(desk, token: deskToken)
            try await desk.get("/staff/login")
            try await desk.post("/staff/login", form: ["email": "desk@tpml.example", "password": "correct horse battery staple"])
            let refused = try await desk.get("/staff/audit")
            XCTAssertEqual(refused.status, .forbidden)
            XCTAssertTrue(refused.text.contains("您的職務無法使用此功能。"))

            let anonymous = try await TestBrowser(app).get("/staff/audit")
            XCTAssertEqual(anonymous.status, .unauthorized)

            let admin = TestBrowser(app)
            try await setPassword(admin, token: adminToken)
            try await admin.get("/staff/login")
            try await admin.post("/staff/login", form: ["email": "admin@tpml.example", "password": "correct horse battery staple"])
            try await enrolSecondFactor(app, admin)
            let page = try await admin.get("/staff/audit")
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.text.contains("staff.signed_in"))
            XCTAssertTrue(page.text.contains("staff.created"))
            // The actor's cell carries its column's name for the phone layout (issue #14 item 5).
            XCTAssertTrue(page.text.contains("<td class=\"break\" data-label=\"操作者\">admin@tpml.example</td>"), "staff actors are shown by account name")
            XCTAssertTrue(page.text.contains(#"<tr data-action="staff.signed_in">"#) && page.text.contains(">員工登入</td>"), "the action, in words")
            XCTAssertTrue(page.text.contains(#"<tr data-action="staff.created">"#) && page.text.contains(">建立員工帳號</td>"), "the action, in words")

            let other = TestBrowser(app)
            try await setPassword(other, token: otherToken)
            let otherStaff = try await StaffMember.query(on: app.db).filter(\.$email == "admin@ntpl.example").first()
            XCTAssertFalse(page.text.contains(otherStaff!.id!.uuidString), "another library's entries are not shown")

            let looks = try await AuditEvent.query(on: app.db).filter(\.$action == "audit.viewed").all()
            XCTAssertEqual(looks.count, 1)
        }
    }

    func testStaffCreationRefusesBadInputAndDuplicates() async throws {
        try await withTestApp { app in
            _ = try await createStaff(app)
            await XCTAssertThrowsErrorAsync(try await staffAccounts(app).create(libraryCode: "XXXX", role: "desk", email: "a@b.tw", locale: .zhTW)) {
                XCTAssertEqual($0 as? StaffAccountError, .unknownLibrary("XXXX"))
            }
            await XCTAssertThrowsErrorAsync(try await staffAccounts(app).create(libraryCode: "TPML", role: "boss", email: "a@b.tw", locale: .zhTW)) {
                XCTAssertEqual($0 as? StaffAccountError, .unknownRole("boss"))
            }
            await XCTAssertThrowsErrorAsync(try await staffAccounts(app).create(libraryCode: "TPML", role: "desk", email: "not-an-email", locale: .zhTW)) {
                XCTAssertEqual($0 as? StaffAccountError, .invalidEmail("not-an-email"))
            }
            await XCTAssertThrowsErrorAsync(try await staffAccounts(app).create(libraryCode: "TPML", role: "desk", email: "LIBRARIAN@example.org", locale: .zhTW)) {
                XCTAssertEqual($0 as? StaffAccountError, .emailTaken("librarian@example.org"))
            }
            let count = try await StaffMember.query(on: app.db).count()
            XCTAssertEqual(count, 1)
        }
    }

    func testTheDatabaseItselfRefusesASecondAccountWithTheSameEmail() async throws {
        try await withTestApp { app in
            let library = try await Library.query(on: app.db).filter(\.$code == "TPML").first()!
            try await StaffMember(libraryID: library.id!, email: "same@example.org", role: .desk).create(on: app.db)
            do {
                try await StaffMember(libraryID: library.id!, email: "same@example.org", role: .admin).create(on: app.db)
                XCTFail("the unique constraint should refuse the second row")
            } catch let error as any DatabaseError {
                XCTAssertTrue(error.isConstraintFailure)
            }
        }
    }

    func testCreatingStaffQueuesTheInvitationInTheSameTransaction() async throws {
        try await withTestApp { app in
            _ = try await createStaff(app)
            let messages = try await OutboxMessage.query(on: app.db).all()
            XCTAssertEqual(messages.count, 1)
            let mail = try sentMail(messages[0], app)
            XCTAssertEqual(mail.to, "librarian@example.org")
            XCTAssertEqual(mail.subject, "一證通員工帳號：請設定密碼")
            XCTAssertTrue(mail.body.contains("臺北市立圖書館已為您建立一證通員工帳號（職務：系統管理員）"))
            XCTAssertTrue(mail.body.contains("/staff/password?token="))
            XCTAssertFalse(messages[0].payload.contains("token="), "the stored message holds a placeholder, the link waits sealed")
        }
    }
}

func XCTUnwrapAsync<T>(_ value: T?, file: StaticString = #filePath, line: UInt = #line) async throws -> T {
    try XCTUnwrap(value, file: file, line: line)
}

func XCTAssertThrowsErrorAsync<T>(
    _ expression: @autoclosure () async throws -> T,
    file: StaticString = #filePath, line: UInt = #line,
    _ handler: (any Error) -> Void
) async {
    do {
        _ = try await expression()
        XCTFail("expected an error", file: file, line: line)
    } catch {
        handler(error)
    }
}
