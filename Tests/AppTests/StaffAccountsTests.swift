import Fluent
import Foundation
import XCTVapor
@testable import App

/// Issue #14 item 6: administrators manage staff accounts from the web, each change audited.
final class StaffAccountsTests: XCTestCase {
    func staff(_ app: Application, _ email: String) async throws -> StaffMember {
        try await XCTUnwrapAsync(await StaffMember.query(on: app.db).filter(\.$email == email).with(\.$library).first())
    }

    /// The emails queued for `address`, as the worker sends them.
    func mails(_ app: Application, to address: String) async throws -> [MailMessage] {
        try await OutboxMessage.query(on: app.db).filter(\.$kind == .email).all().map { try sentMail($0, app) }.filter { $0.toAddress == address }
    }

    func row(_ page: XCTHTTPResponse, _ staff: StaffMember) -> String {
        let html = page.body.string
        guard let start = html.range(of: "<tr id=\"account-\(staff.id!.uuidString)\">") else { return "" }
        return String(html[start.lowerBound...]).components(separatedBy: "</tr>")[0]
    }

    func testAnAdminInvitesAStaffMemberWhoIsMailedALinkToSetThePassword() async throws {
        try await withTestApp { app in
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let page = try await admin.get("/staff/accounts")
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.body.string.contains("admin@tpml.example"))
            let invited = try await admin.post("/staff/accounts", form: ["email": " New.Clerk@TPML.example ", "role": "reviewer"])
            XCTAssertEqual(invited.status, .created)
            XCTAssertTrue(invited.body.string.contains("已邀請 new.clerk@tpml.example"))
            let clerk = try await staff(app, "new.clerk@tpml.example")
            XCTAssertEqual(clerk.role, .reviewer)
            XCTAssertEqual(clerk.library.code, "TPML")
            let mail = try await XCTUnwrapAsync(try await mails(app, to: "new.clerk@tpml.example").first)
            XCTAssertEqual(mail.toAddress, "new.clerk@tpml.example")
            let link = try XCTUnwrap(mail.body.firstMatch(of: /http\S+\/staff\/password\?token=(\S+)/)?.1).description
            let form = try await TestBrowser(app).get("/staff/password?token=\(link)")
            XCTAssertEqual(form.status, .ok, "the invitation's link sets the password")
            let adminID = try await staff(app, "admin@tpml.example").requireID()
            let created = try await XCTUnwrapAsync(await AuditEvent.query(on: app.db).filter(\.$action == "staff.created")
                .filter(\.$subjectID == clerk.id!.uuidString).first())
            XCTAssertEqual(created.actorType, "staff")
            XCTAssertEqual(created.actorID, adminID.uuidString)

            let taken = try await admin.post("/staff/accounts", form: ["email": "new.clerk@tpml.example", "role": "desk"])
            XCTAssertEqual(taken.status, .unprocessableEntity)
            XCTAssertTrue(taken.body.string.contains("已有使用此電子郵件地址的員工帳號"))
            XCTAssertTrue(taken.body.string.contains(#"value="new.clerk@tpml.example""#), "the typed address is kept")
            let count = try await StaffMember.query(on: app.db).count()
            XCTAssertEqual(count, 2)
        }
    }

    func testOnlyAdministratorsOpenTheAccountsPage() async throws {
        try await withTestApp { app in
            let target = try await staffAccounts(app).create(libraryCode: "TPML", role: "desk", email: "someone@tpml.example", locale: .zhTW)
            _ = target
            let id = try await staff(app, "someone@tpml.example").requireID()
            for role in ["desk", "reviewer"] {
                let browser = try await signedInStaff(app, role: role, email: "\(role)@tpml.example")
                expectStatus(try await browser.get("/staff/accounts"), .forbidden, role)
                expectStatus(try await browser.post("/staff/accounts", form: ["email": "x@tpml.example", "role": "admin"]),
                               .forbidden, role)
                for action in ["role", "disable", "password-link", "second-factor-reset"] {
                    let response = try await browser.post("/staff/accounts/\(id)/\(action)", form: ["role": "admin"])
                    XCTAssertEqual(response.status, .forbidden, "\(role) \(action)")
                }
                let home = try await browser.get("/staff")
                XCTAssertFalse(home.body.string.contains("/staff/accounts"), "no link to a refused room")
            }
            let anonymous = TestBrowser(app)
            expectStatus(try await anonymous.get("/staff/accounts"), .unauthorized)
            let unchanged = try await staff(app, "someone@tpml.example")
            XCTAssertEqual(unchanged.role, .desk)
            XCTAssertNil(unchanged.disabledAt)
            let invited = try await StaffMember.query(on: app.db).filter(\.$email == "x@tpml.example").count()
            XCTAssertEqual(invited, 0)
        }
    }

    func testALibraryAdministratorActsOnTheirOwnLibraryOnly() async throws {
        try await withTestApp { app in
            _ = try await staffAccounts(app).create(libraryCode: "NTPL", role: "desk", email: "clerk@ntpl.example", locale: .zhTW)
            let outsider = try await staff(app, "clerk@ntpl.example")
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let page = try await admin.get("/staff/accounts")
            XCTAssertFalse(page.body.string.contains("clerk@ntpl.example"))
            XCTAssertFalse(page.body.string.contains(#"value="consortium_admin""#), "a library admin cannot give the consortium role")
            for action in ["role", "disable", "password-link", "second-factor-reset"] {
                let response = try await admin.post("/staff/accounts/\(outsider.id!)/\(action)", form: ["role": "admin"])
                XCTAssertEqual(response.status, .notFound, action)
            }
            let untouched = try await staff(app, "clerk@ntpl.example")
            XCTAssertEqual(untouched.role, .desk)
            // The library field is ignored for a library administrator: the invitation lands in their own library.
            _ = try await admin.post("/staff/accounts", form: ["email": "new@tpml.example", "role": "desk", "library": "NTPL"])
            let invitedHere = try await staff(app, "new@tpml.example")
            XCTAssertEqual(invitedHere.library.code, "TPML")
            expectStatus(try await admin.post("/staff/accounts", form: ["email": "boss@tpml.example", "role": "consortium_admin"]),
                           .forbidden)
            let clerk = try await staff(app, "new@tpml.example")
            expectStatus(try await admin.post("/staff/accounts/\(clerk.id!)/role", form: ["role": "consortium_admin"]), .forbidden)

            // The consortium administrator acts on every library.
            let consortium = try await signedInStaff(app, role: "consortium_admin", email: "consortium@tpml.example")
            let all = try await consortium.get("/staff/accounts")
            XCTAssertTrue(all.body.string.contains("clerk@ntpl.example"))
            expectStatus(try await consortium.post("/staff/accounts/\(outsider.id!)/role", form: ["role": "admin"]), .ok)
            let promoted = try await staff(app, "clerk@ntpl.example")
            XCTAssertEqual(promoted.role, .admin)
            expectStatus(try await consortium.post("/staff/accounts", form: ["email": "new@ntpl.example", "role": "reviewer", "library": "NTPL"]),
                           .created)
            let invitedThere = try await staff(app, "new@ntpl.example")
            XCTAssertEqual(invitedThere.library.code, "NTPL")
            let changed = try await XCTUnwrapAsync(await AuditEvent.query(on: app.db).filter(\.$action == "staff.role_changed").first())
            XCTAssertEqual(changed.details, #"{"from":"desk","to":"admin"}"#)
            XCTAssertEqual(changed.subjectID, outsider.id!.uuidString)
        }
    }

    /// Decided: an administrator never changes their own role, disables themselves or resets their own
    /// second factor from the page; another administrator does. So no admin removes their own (and maybe
    /// the library's last) admin rights by accident.
    func testAnAdministratorCannotRemoveTheirOwnRightsByAccident() async throws {
        try await withTestApp { app in
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let me = try await staff(app, "admin@tpml.example")
            let page = try await admin.get("/staff/accounts")
            XCTAssertFalse(row(page, me).contains("<form"), "no actions on one's own row")
            for action in ["role", "disable", "second-factor-reset"] {
                let response = try await admin.post("/staff/accounts/\(me.id!)/\(action)", form: ["role": "desk"])
                XCTAssertEqual(response.status, .conflict, action)
                XCTAssertTrue(response.body.string.contains("您無法在此變更自己的帳號"), action)
            }
            let after = try await staff(app, "admin@tpml.example")
            XCTAssertEqual(after.role, .admin)
            XCTAssertNil(after.disabledAt)
            XCTAssertNotNil(after.totpConfirmedAt)
            expectStatus(try await admin.get("/staff/accounts"), .ok, "still an administrator, still signed in")
        }
    }

    func testDisablingAnAccountEndsItsSessionsAtOnceAndRefusesItsPassword() async throws {
        try await withTestApp { app in
            let clerk = try await signedInStaff(app, role: "desk", email: "desk@tpml.example")
            expectStatus(try await clerk.get("/staff/applications"), .ok)
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let target = try await staff(app, "desk@tpml.example")
            let done = try await admin.post("/staff/accounts/\(target.id!)/disable", form: [:])
            XCTAssertEqual(done.status, .ok)
            XCTAssertTrue(done.body.string.contains("desk@tpml.example 已停用並已登出"))
            expectStatus(try await clerk.get("/staff/applications"), .unauthorized, "the session ended at once")
            let sessions = try await WebSession.query(on: app.db).filter(\.$staffID == target.id!).count()
            XCTAssertEqual(sessions, 0)
            let again = TestBrowser(app)
            try await again.get("/staff/login")
            let refused = try await again.post("/staff/login", form: ["email": "desk@tpml.example", "password": "correct horse battery staple"])
            XCTAssertEqual(refused.status, .unauthorized)
            XCTAssertTrue(refused.body.string.contains("電子郵件或密碼不正確") || refused.body.string.contains("不正確"))
            let audit = try await XCTUnwrapAsync(await AuditEvent.query(on: app.db).filter(\.$action == "staff.disabled").first())
            XCTAssertEqual(audit.subjectID, target.id!.uuidString)
        }
    }

    /// Decided: an account enabled again trusts nothing it held when it was disabled. The old password is
    /// cleared and a new password link is mailed; the authenticator key and recovery codes are removed, so a
    /// reviewer enrols again. The same administrators as for disabling; audited.
    func testADisabledAccountIsEnabledAgainWithANewPasswordFromAMailedLinkAndANewSecondFactor() async throws {
        try await withTestApp { app in
            _ = try await signedInStaff(app, role: "reviewer", email: "reviewer@tpml.example")
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let target = try await staff(app, "reviewer@tpml.example")
            let enablePath = "/staff/accounts/\(target.id!)/enable"
            let active = try await admin.get("/staff/accounts")
            XCTAssertFalse(row(active, target).contains(enablePath), "an active account has no Enable")
            expectStatus(try await admin.post(enablePath, form: [:]), .ok, "enabling an active account changes nothing")
            let untouched = try await staff(app, "reviewer@tpml.example")
            XCTAssertNotNil(untouched.passwordHash)
            expectStatus(try await admin.post("/staff/accounts/\(target.id!)/disable", form: [:]), .ok)
            let disabledPage = try await admin.get("/staff/accounts")
            XCTAssertTrue(row(disabledPage, target).contains(#"action="\#(enablePath)""#), row(disabledPage, target))
            XCTAssertTrue(row(disabledPage, target).contains("重新啟用 reviewer@tpml.example"))
            XCTAssertFalse(row(disabledPage, target).contains("/disable"), "a disabled account is not disabled twice")

            // Who may not: desk and reviewer 403, another library's administrator 404.
            for (role, email) in [("desk", "desk@tpml.example"), ("reviewer", "other.reviewer@tpml.example")] {
                let browser = try await signedInStaff(app, role: role, email: email)
                expectStatus(try await browser.post(enablePath, form: [:]), .forbidden, role)
            }
            let newTaipei = try await signedInStaff(app, role: "admin", library: "NTPL", email: "admin@ntpl.example")
            try await newTaipei.get("/staff/accounts")
            expectStatus(try await newTaipei.post(enablePath, form: [:]), .notFound)
            let stillDisabled = try await staff(app, "reviewer@tpml.example")
            XCTAssertNotNil(stillDisabled.disabledAt)
            let refusedAudits = try await AuditEvent.query(on: app.db).filter(\.$action == "staff.enabled").count()
            XCTAssertEqual(refusedAudits, 0)

            try await admin.get("/staff/accounts")
            let enabled = try await admin.post(enablePath, form: [:])
            XCTAssertEqual(enabled.status, .ok)
            XCTAssertTrue(enabled.body.string.contains("reviewer@tpml.example 已重新啟用：設定新密碼的連結將寄至其電子郵件。"), enabled.body.string)
            XCTAssertTrue(row(enabled, target).contains("已邀請（尚未設定密碼）"), row(enabled, target))
            let after = try await staff(app, "reviewer@tpml.example")
            XCTAssertNil(after.disabledAt)
            XCTAssertNil(after.passwordHash, "the old password is not brought back")
            XCTAssertNil(after.totpSecretSealed, "nor the old authenticator")
            XCTAssertNil(after.totpConfirmedAt)
            let codes = try await StaffRecoveryCode.query(on: app.db).filter(\.$staffMember.$id == target.id!).count()
            XCTAssertEqual(codes, 0)
            let adminID = try await staff(app, "admin@tpml.example").requireID()
            let audit = try await XCTUnwrapAsync(await AuditEvent.query(on: app.db).filter(\.$action == "staff.enabled").first())
            XCTAssertEqual(audit.subjectID, target.id!.uuidString)
            XCTAssertEqual(audit.actorID, adminID.uuidString)
            XCTAssertEqual(audit.libraryID, target.$library.id)

            // The old password is refused; the mailed link sets a new one, and the reviewer enrols again.
            let browser = TestBrowser(app)
            try await browser.get("/staff/login")
            let old = try await browser.post("/staff/login", form: ["email": "reviewer@tpml.example", "password": "correct horse battery staple"])
            XCTAssertEqual(old.status, .unauthorized)
            let sent = try await mails(app, to: "reviewer@tpml.example")
            let mail = try XCTUnwrap(sent.last)
            XCTAssertEqual(mail.subject, "一證通員工帳號：請設定新密碼")
            let token = try XCTUnwrap(mail.body.firstMatch(of: /\/staff\/password\?token=(\S+)/)?.1).description
            try await browser.get("/staff/password?token=\(token)")
            let set = try await browser.post("/staff/password", form: ["token": token, "password": "a new and longer passphrase",
                                                                         "passwordConfirmation": "a new and longer passphrase"])
            XCTAssertEqual(set.status, .seeOther)
            try await browser.get("/staff/login")
            let signIn = try await browser.post("/staff/login", form: ["email": "reviewer@tpml.example", "password": "a new and longer passphrase"])
            XCTAssertEqual(signIn.headers.first(name: .location), "/staff/login/enrol")
        }
    }

    func testANewPasswordLinkIsMailedAndReplacesTheOldOne() async throws {
        try await withTestApp { app in
            let oldLink = try await staffAccounts(app).create(libraryCode: "TPML", role: "desk", email: "desk@tpml.example", locale: .zhTW)
            let oldToken = URLComponents(url: oldLink, resolvingAgainstBaseURL: false)!.queryItems!.first!.value!
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let target = try await staff(app, "desk@tpml.example")
            let done = try await admin.post("/staff/accounts/\(target.id!)/password-link", form: [:])
            XCTAssertEqual(done.status, .ok)
            XCTAssertTrue(done.body.string.contains("新的密碼設定連結將寄給 desk@tpml.example"))
            let sent = try await mails(app, to: "desk@tpml.example")
            XCTAssertEqual(sent.count, 2, "the invitation, then the new link")
            let mail = try XCTUnwrap(sent.first { $0.subject != "一證通員工帳號：請設定密碼" })
            XCTAssertEqual(mail.toAddress, "desk@tpml.example")
            XCTAssertEqual(mail.subject, "一證通員工帳號：請設定新密碼")
            let token = try XCTUnwrap(mail.body.firstMatch(of: /\/staff\/password\?token=(\S+)/)?.1).description
            let browser = TestBrowser(app)
            expectStatus(try await browser.get("/staff/password?token=\(oldToken)"), .gone, "the old link stopped working")
            expectStatus(try await browser.get("/staff/password?token=\(token)"), .ok)
            let audit = try await XCTUnwrapAsync(await AuditEvent.query(on: app.db).filter(\.$action == "staff.password_link_sent").first())
            XCTAssertEqual(audit.subjectID, target.id!.uuidString)
        }
    }

    func testAnAdministratorResetsALostSecondFactor() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let reviewer = try await signedInStaff(app, role: "reviewer", email: "reviewer@tpml.example")
            expectStatus(try await reviewer.get("/staff/group"), .ok)
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let target = try await staff(app, "reviewer@tpml.example")
            let done = try await admin.post("/staff/accounts/\(target.id!)/second-factor-reset", form: [:])
            XCTAssertEqual(done.status, .ok)
            let after = try await staff(app, "reviewer@tpml.example")
            XCTAssertNil(after.totpSecretSealed)
            XCTAssertNil(after.totpConfirmedAt)
            let codes = try await StaffRecoveryCode.query(on: app.db).filter(\.$staffMember.$id == target.id!).count()
            XCTAssertEqual(codes, 0)
            expectStatus(try await reviewer.get("/staff/group"), .unauthorized, "signed out at once")
            let audit = try await XCTUnwrapAsync(await AuditEvent.query(on: app.db).filter(\.$action == "staff.second_factor_reset").first())
            XCTAssertEqual(audit.subjectID, target.id!.uuidString)
            // At the next sign-in the reviewer enrols again.
            let again = TestBrowser(app)
            try await again.get("/staff/login")
            let signIn = try await again.post("/staff/login", form: ["email": "reviewer@tpml.example", "password": "correct horse battery staple"])
            XCTAssertEqual(signIn.headers.first(name: .location), "/staff/login/enrol")
        }
    }
}
