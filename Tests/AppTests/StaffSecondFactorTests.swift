import Fluent
import Foundation
import TestSubprocess
import XCTVapor
@testable import App

/// Issue #14 item 6: the second factor (TOTP, RFC 6238) of reviewers and administrators, with the codes an
/// authenticator app makes computed by PyPI `pyotp` and the enrolment's QR code read by zxing-cpp.
final class StaffSecondFactorTests: XCTestCase {
    /// The code pyotp's TOTP makes for `secret` at `date`, as an authenticator app shows it.
    func pyotpCode(_ secret: String, at date: Date) async throws -> String {
        let outcome = try await Subprocess.run([
            "python3", "-c", "import pyotp, sys; print(pyotp.TOTP(sys.argv[1]).at(int(sys.argv[2])))",
            secret, String(Int(date.timeIntervalSince1970)),
        ])
        XCTAssertEqual(outcome.status, 0, "pyotp is needed (scripts/install-test-tools): \(outcome.stderrText)")
        return String(decoding: outcome.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A staff account created with the CLI's service whose password is set, not yet signed in.
    func staffWithPassword(_ app: Application, role: String, email: String) async throws {
        let link = try await staffAccounts(app).create(libraryCode: "TPML", role: role, email: email, locale: .zhTW)
        let token = URLComponents(url: link, resolvingAgainstBaseURL: false)!.queryItems!.first!.value!
        let browser = TestBrowser(app)
        try await browser.get("/staff/password?token=\(token)")
        let done = try await browser.post("/staff/password", form: ["token": token, "password": "correct horse battery staple",
                                                                    "passwordConfirmation": "correct horse battery staple"])
        XCTAssertEqual(done.status, .seeOther)
    }

    /// A new browser past the password step of `email`.
    func pastPassword(_ app: Application, _ email: String, expecting step: String = "/staff/login/code",
                      file: StaticString = #filePath, line: UInt = #line) async throws -> TestBrowser {
        let browser = TestBrowser(app)
        try await browser.get("/staff/login")
        let response = try await browser.post("/staff/login", form: ["email": email, "password": "correct horse battery staple"])
        XCTAssertEqual(response.status, .seeOther, file: file, line: line)
        XCTAssertEqual(response.headers.first(name: .location), step, file: file, line: line)
        try await browser.get(step)
        return browser
    }

    func secret(_ app: Application, _ email: String) async throws -> String {
        let staff = try await XCTUnwrapAsync(await StaffMember.query(on: app.db).filter(\.$email == email).first())
        return try app.vault.open(XCTUnwrap(staff.totpSecretSealed), context: StaffSecondFactor.sealContext)
    }

    func read(_ png: Data) async throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("totp-qr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("qr.png")
        try png.write(to: file)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("CardBarcodeTests/read_barcodes.py")
        let outcome = try await Subprocess.run(["python3", script.path, file.path])
        XCTAssertEqual(outcome.status, 0, "read_barcodes.py needs python3 with zxing-cpp and pillow: \(outcome.stderrText)")
        let decoded = try JSONDecoder().decode([MobileCardTests.Decoded].self, from: outcome.stdout)
        XCTAssertEqual(decoded.first?.problems, [])
        XCTAssertEqual(decoded.first?.barcodes.map(\.format), ["QRCode"])
        return try XCTUnwrap(decoded.first?.barcodes.first?.text)
    }

    func testAReviewerIsSentToEnrolmentWhoseQRCodeIsTheOTPAuthURIAndAPyotpCodeConfirmsIt() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            try await staffWithPassword(app, role: "reviewer", email: "reviewer@tpml.example")
            let browser = try await pastPassword(app, "reviewer@tpml.example", expecting: "/staff/login/enrol")
            // Past the password only: no staff page opens yet.
            let home = try await browser.get("/staff")
            XCTAssertEqual(home.status, .seeOther)
            XCTAssertEqual(home.headers.first(name: .location), "/staff/login/enrol")
            let queue = try await browser.get("/staff/group")
            XCTAssertEqual(queue.status, .unauthorized)

            let page = try await browser.get("/staff/login/enrol")
            XCTAssertEqual(page.status, .ok)
            XCTAssertEqual(page.headers.first(name: .cacheControl), "no-store")
            let html = page.body.string
            let shownSecret = try XCTUnwrap(html.firstMatch(of: /data-secret="([A-Z2-7]+)"/)?.1).description
            let uri = try XCTUnwrap(html.firstMatch(of: /<code class="break" id="totp-uri">([^<]+)<\/code>/)?.1).description
                .replacingOccurrences(of: "&amp;", with: "&")
            let image = try XCTUnwrap(html.firstMatch(of: /src="data:image\/png;base64,([A-Za-z0-9+\/=]+)"/)?.1).description
            XCTAssertEqual(shownSecret.count, 32, "160 bits in base32")
            let storedSecret = try await secret(app, "reviewer@tpml.example")
            XCTAssertEqual(storedSecret, shownSecret, "the secret shown is the one stored")
            XCTAssertEqual(uri, "otpauth://totp/OneCard:reviewer@tpml.example?secret=\(shownSecret)&issuer=OneCard&algorithm=SHA1&digits=6&period=30")
            let decoded = try await read(try XCTUnwrap(Data(base64Encoded: image)))
            XCTAssertEqual(decoded, uri, "the QR code is the otpauth URI")
            // pyotp reads the URI as an authenticator app would.
            let parsed = try await Subprocess.run(["python3", "-c", "import pyotp, sys; t = pyotp.parse_uri(sys.argv[1]); print(t.secret, t.name, t.issuer)", uri])
            XCTAssertEqual(String(decoding: parsed.stdout, as: UTF8.self), "\(shownSecret) reviewer@tpml.example OneCard\n")
            // Sealed at rest: the stored column does not hold the secret.
            let stored = try await XCTUnwrapAsync(await StaffMember.query(on: app.db).filter(\.$email == "reviewer@tpml.example").first())
            XCTAssertFalse(try XCTUnwrap(stored.totpSecretSealed).contains(shownSecret))
            // A reload shows the same secret, so a half-finished enrolment is not lost.
            let again = try await browser.get("/staff/login/enrol")
            XCTAssertTrue(again.body.string.contains(#"data-secret="\#(shownSecret)""#))

            let wrong = try await browser.post("/staff/login/enrol", form: ["code": "000000"])
            XCTAssertEqual(wrong.status, .unauthorized)
            XCTAssertTrue(wrong.body.string.contains("驗證碼不正確或已使用過"))
            let code = try await pyotpCode(shownSecret, at: clock.now)
            let done = try await browser.post("/staff/login/enrol", form: ["code": code])
            XCTAssertEqual(done.status, .ok)
            let codes = done.body.string.matches(of: /<li><code>([A-Z2-7]{5}-[A-Z2-7]{5})<\/code><\/li>/).map { String($0.1) }
            XCTAssertEqual(Set(codes).count, 10, "ten recovery codes, shown once")
            let rows = try await StaffRecoveryCode.query(on: app.db).all()
            XCTAssertEqual(rows.count, 10)
            XCTAssertEqual(Set(rows.map(\.codeHash)), Set(codes.map { OneTimeToken.hash($0.replacingOccurrences(of: "-", with: "")) }),
                           "stored hashed")
            expectStatus(try await browser.get("/staff"), .ok)
            expectStatus(try await browser.get("/staff/group"), .ok)
            expectStatus(try await browser.get("/staff/login/enrol"), .seeOther, "enrolled: nothing more to do there")
            let actions = try await AuditEvent.query(on: app.db).all().map(\.action)
            XCTAssertTrue(actions.contains("staff.second_factor_enrolled"))
            XCTAssertEqual(actions.filter { $0 == "staff.second_factor_failed" }.count, 1)
        }
    }

    func testADeskClerkSignsInWithThePasswordAlone() async throws {
        try await withTestApp { app in
            try await staffWithPassword(app, role: "desk", email: "desk@tpml.example")
            let browser = TestBrowser(app)
            try await browser.get("/staff/login")
            let response = try await browser.post("/staff/login", form: ["email": "desk@tpml.example", "password": "correct horse battery staple"])
            XCTAssertEqual(response.headers.first(name: .location), "/staff")
            expectStatus(try await browser.get("/staff/applications"), .ok)
        }
    }

    func testSignInAsksTheCodeOfTheAppAndRefusesACodeUsedAlreadyInItsWindow() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            _ = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let secret = try await secret(app, "admin@tpml.example")
            clock.advance(by: 30)
            let first = try await pastPassword(app, "admin@tpml.example")
            expectStatus(try await first.get("/staff/audit"), .unauthorized, "the password alone opens nothing")
            let code = try await pyotpCode(secret, at: clock.now)
            let accepted = try await first.post("/staff/login/code", form: ["code": code])
            XCTAssertEqual(accepted.status, .seeOther)
            XCTAssertEqual(accepted.headers.first(name: .location), "/staff")
            expectStatus(try await first.get("/staff/audit"), .ok)

            // Someone who saw the code and knows the password tries it in the same window.
            let second = try await pastPassword(app, "admin@tpml.example")
            let replay = try await second.post("/staff/login/code", form: ["code": code])
            XCTAssertEqual(replay.status, .unauthorized)
            XCTAssertTrue(replay.body.string.contains("驗證碼不正確或已使用過"))
            clock.advance(by: 10)
            expectStatus(try await second.post("/staff/login/code", form: ["code": code]), .unauthorized,
                           "still refused ten seconds later, while the code is in its window")
            // An earlier step's code inside the window is refused too: steps only go forward.
            let earlier = try await pyotpCode(secret, at: clock.now.addingTimeInterval(-30))
            expectStatus(try await second.post("/staff/login/code", form: ["code": earlier]), .unauthorized)
            // The app's next code is accepted (the window takes one step ahead, for a phone whose clock runs fast).
            let next = try await pyotpCode(secret, at: clock.now.addingTimeInterval(30))
            expectStatus(try await second.post("/staff/login/code", form: ["code": next]), .seeOther)
            expectStatus(try await second.get("/staff/audit"), .ok)
            // Two steps away is outside the window.
            clock.advance(by: 120)
            let third = try await pastPassword(app, "admin@tpml.example")
            let stale = try await pyotpCode(secret, at: clock.now.addingTimeInterval(-60))
            expectStatus(try await third.post("/staff/login/code", form: ["code": stale]), .unauthorized)
            let verified = try await AuditEvent.query(on: app.db).filter(\.$action == "staff.second_factor_verified").count()
            XCTAssertEqual(verified, 2)
        }
    }

    func testWrongCodesGetThePasswordsDelaysAndLockAfterTheTenth() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock, adjust: { $0.signInDelayUnit = 1 }) { app in
            let recorder = SignInEnumerationTests.PauseRecorder()
            app.signInPause = recorder.pause
            _ = try await signedInStaff(app, role: "reviewer", email: "reviewer@tpml.example")
            let secret = try await secret(app, "reviewer@tpml.example")
            clock.advance(by: 30)
            let browser = try await pastPassword(app, "reviewer@tpml.example")
            _ = recorder.take()
            for n in 0..<SignInThrottle.lockAfter {
                let wrong = try await browser.post("/staff/login/code", form: ["code": String(format: "%06d", 111_111 + n)])
                XCTAssertEqual(wrong.status, .unauthorized)
            }
            let expected = (1...SignInThrottle.lockAfter).map {
                SignInThrottle(database: app.db, now: clock.now, delayUnit: 1).delay(afterAttempt: $0)
            }
            XCTAssertEqual(recorder.take(), expected, "the same growing delays as wrong passwords")
            let right = try await pyotpCode(secret, at: clock.now)
            let locked = try await browser.post("/staff/login/code", form: ["code": right])
            XCTAssertEqual(locked.status, .unauthorized, "locked: the right code does not help")
            expectStatus(try await browser.get("/staff"), .seeOther)
            let failures = try await AuditEvent.query(on: app.db).filter(\.$action == "staff.second_factor_failed").all()
            XCTAssertEqual(failures.count, SignInThrottle.lockAfter + 1)
            XCTAssertEqual(failures.filter { $0.details?.contains(#""locked":"yes""#) == true }.count, 1)
            clock.advance(by: SignInThrottle.window)
            let later = try await pyotpCode(secret, at: clock.now)
            expectStatus(try await browser.post("/staff/login/code", form: ["code": later]), .seeOther,
                           "the lock ends with its window")
        }
    }

    func testEachRecoveryCodeSignsInOnce() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            _ = try await staffWithPassword(app, role: "reviewer", email: "reviewer@tpml.example")
            let enrolling = try await pastPassword(app, "reviewer@tpml.example", expecting: "/staff/login/enrol")
            let codes = try await enrolSecondFactor(app, enrolling)
            XCTAssertEqual(codes.count, 10)

            let first = try await pastPassword(app, "reviewer@tpml.example")
            expectStatus(try await first.post("/staff/login/code", form: ["code": codes[0].lowercased()]), .seeOther,
                           "typed in lower case, with its dash")
            expectStatus(try await first.get("/staff"), .ok)
            let second = try await pastPassword(app, "reviewer@tpml.example")
            expectStatus(try await second.post("/staff/login/code", form: ["code": codes[0]]), .unauthorized, "used once already")
            expectStatus(try await second.post("/staff/login/code", form: ["code": codes[1].replacingOccurrences(of: "-", with: "")]),
                           .seeOther)
            let used = try await StaffRecoveryCode.query(on: app.db).filter(\.$usedAt != nil).count()
            XCTAssertEqual(used, 2)
            let audit = try await AuditEvent.query(on: app.db).filter(\.$action == "staff.recovery_code_used").sort(\.$occurredAt).all()
            XCTAssertEqual(audit.map { $0.details ?? "" }, [#"{"left":"9"}"#, #"{"left":"8"}"#])
        }
    }

    /// A session signed in before its role needed a second factor (one from before this change, or a desk
    /// clerk promoted to reviewer) opens nothing until the factor is done.
    func testASessionSignedInWithoutTheSecondFactorMustCompleteIt() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let clerk = try await signedInStaff(app, role: "desk", email: "desk@tpml.example")
            let asClerk = try await clerk.get("/staff/applications")
            XCTAssertEqual(asClerk.status, .ok)
            let staff = try await XCTUnwrapAsync(await StaffMember.query(on: app.db).filter(\.$email == "desk@tpml.example").first())
            staff.role = .reviewer
            try await staff.save(on: app.db)
            let before = try await clerk.get("/staff/group")
            XCTAssertEqual(before.status, .unauthorized)
            XCTAssertTrue(before.body.string.contains("您尚未完成登入"))
            let home = try await clerk.get("/staff")
            XCTAssertEqual(home.headers.first(name: .location), "/staff/login/enrol")
            let signIn = try await clerk.get("/staff/login")
            XCTAssertEqual(signIn.headers.first(name: .location), "/staff/login/enrol", "the sign-in page continues at the factor")
            try await enrolSecondFactor(app, clerk)
            let after = try await clerk.get("/staff/group")
            XCTAssertEqual(after.status, .ok)
        }
    }

    /// The staff layout between the password and the second factor shows no room of the role, only signing
    /// out; once the factor is done, the role's navigation. For the enrolment and for the code.
    func testTheSecondFactorPagesShowOnlySignOutUntilTheFactorIsDone() async throws {
        try await withTestApp { app in
            let roomLinks = [#"href="/staff/applications""#, #"href="/staff/patrons""#, #"href="/staff/requests""#,
                             #"href="/staff/accounts""#, #"href="/staff/audit""#, #"href="/staff/library""#, #"href="/staff/reports""#,
                             #"class="staff-nav""#, #"class="staff-admin-nav""#]
            func navigation(_ page: XCTHTTPResponse) -> String {
                let html = page.body.string
                guard let start = html.range(of: "<header"), let end = html.range(of: "</header>") else { return "" }
                return String(html[start.lowerBound..<end.upperBound])
            }
            func expectOnlySignOut(_ page: XCTHTTPResponse, _ step: String, file: StaticString = #filePath, line: UInt = #line) {
                XCTAssertEqual(page.status, .ok, step, file: file, line: line)
                let header = navigation(page)
                for link in roomLinks { XCTAssertFalse(header.contains(link), "\(step): \(link) before the factor", file: file, line: line) }
                XCTAssertFalse(header.contains("admin@tpml.example"), "\(step): no account line yet", file: file, line: line)
                XCTAssertTrue(header.contains(#"action="/staff/logout""#), "\(step): signing out is offered", file: file, line: line)
            }
            func expectRoomsOfAnAdministrator(_ page: XCTHTTPResponse, _ step: String, file: StaticString = #filePath, line: UInt = #line) {
                let header = navigation(page)
                for link in roomLinks { XCTAssertTrue(header.contains(link), "\(step): \(link) after the factor", file: file, line: line) }
                XCTAssertTrue(header.contains(#"action="/staff/logout""#), file: file, line: line)
            }

            // Enrolment, the first sign-in.
            try await staffWithPassword(app, role: "admin", email: "admin@tpml.example")
            let browser = try await pastPassword(app, "admin@tpml.example", expecting: "/staff/login/enrol")
            expectOnlySignOut(try await browser.get("/staff/login/enrol"), "enrolment")
            let secret = try await browser.get("/staff/login/enrol").body.string.firstMatch(of: /data-secret="([A-Z2-7]+)"/)?.1
            let code = TimeBasedCode(secret: TimeBasedCode.bytes(base32: String(try XCTUnwrap(secret)))!)
                .code(counter: TimeBasedCode.counter(at: app.clock.now()))
            let enrolled = try await browser.post("/staff/login/enrol", form: ["code": code])
            XCTAssertEqual(enrolled.status, .ok)
            expectRoomsOfAnAdministrator(try await browser.get("/staff"), "after enrolment")

            // The code, at the next sign-in; a wrong code's page is still before the factor.
            let again = try await pastPassword(app, "admin@tpml.example")
            expectOnlySignOut(try await again.get("/staff/login/code"), "code")
            let wrong = try await again.post("/staff/login/code", form: ["code": "000000"])
            XCTAssertEqual(wrong.status, .unauthorized)
            for link in roomLinks { XCTAssertFalse(navigation(wrong).contains(link), "wrong code: \(link)") }
            let right = try await again.post("/staff/login/code", form: ["code": try await secondFactorCode(app, email: "admin@tpml.example")])
            XCTAssertEqual(right.headers.first(name: .location), "/staff")
            expectRoomsOfAnAdministrator(try await again.get("/staff"), "after the code")
            let signedOut = try await again.post("/staff/logout", form: [:])
            XCTAssertEqual(signedOut.headers.first(name: .location), "/staff/login")
        }
    }
}
