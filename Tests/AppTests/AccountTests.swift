import Fluent
import Foundation
import XCTVapor
@testable import App

/// 我的帳戶: password change, contact corrections, requests to staff, consent withdrawal, erasure.
final class AccountTests: XCTestCase {
    func mails(_ app: Application) async throws -> [MailMessage] {
        try await OutboxMessage.query(on: app.db).filter(\.$kind == .email).sort(\.$id).all()
            .map { try JSONDecoder().decode(MailMessage.self, from: Data($0.payload.utf8)) }
    }

    func testChangingThePasswordNeedsTheOldOneAndFollowsThePolicy() async throws {
        try await withTestApp { app in
            let (browser, patron) = try await signedInReader(app)
            let form = try await browser.get("/account/password")
            XCTAssertTrue(form.text.contains(#"<label for="currentPassword">目前的密碼</label>"#))

            let wrong = try await browser.post("/account/password", form: [
                "currentPassword": "not my password", "password": "quiet harbour lights", "passwordConfirmation": "quiet harbour lights"])
            XCTAssertEqual(wrong.status, .unprocessableEntity)
            XCTAssertTrue(wrong.text.contains("目前的密碼不正確"))
            let weak = try await browser.post("/account/password", form: [
                "currentPassword": "river lantern mango", "password": "password", "passwordConfirmation": "password"])
            XCTAssertEqual(weak.status, .unprocessableEntity)
            XCTAssertTrue(weak.text.contains(##"<a href="#password">"##))
            let mismatch = try await browser.post("/account/password", form: [
                "currentPassword": "river lantern mango", "password": "quiet harbour lights", "passwordConfirmation": "quiet harbour light"])
            XCTAssertTrue(mismatch.text.contains(##"<a href="#passwordConfirmation">"##))

            let changed = try await browser.post("/account/password", form: [
                "currentPassword": "river lantern mango", "password": "quiet harbour lights", "passwordConfirmation": "quiet harbour lights"])
            XCTAssertEqual(changed.headers.first(name: .location), "/account?notice=password_changed")
            let account = try await browser.get("/account?notice=password_changed")
            XCTAssertEqual(account.status, .ok, "still signed in on the rotated session")
            XCTAssertTrue(account.text.contains("密碼已變更。"))
            let notices = try await mails(app).filter { $0.subject == "一證通：密碼已變更" }
            XCTAssertEqual(notices.map(\.to), ["wang@example.org"])

            let fresh = TestBrowser(app)
            try await fresh.get("/login")
            let old = try await fresh.post("/login", form: ["identifier": patron.cardNumber!, "password": "river lantern mango"])
            XCTAssertEqual(old.status, .unauthorized)
            let new = try await fresh.post("/login", form: ["identifier": patron.cardNumber!, "password": "quiet harbour lights"])
            XCTAssertEqual(new.status, .seeOther)
        }
    }

    func testCorrectingTheMobileNeedsNoPasswordButANewEmailDoesAndPartnersHear() async throws {
        try await withTestApp { app in
            let (browser, patron) = try await signedInReader(app)
            try await browser.get("/account/partners/NTPL")
            try await browser.post("/account/partners/NTPL", form: ["decision": "agree"])
            try await browser.get("/account/contact")

            let badMobile = try await browser.post("/account/contact", form: ["mobile": "12345", "email": "wang@example.org"])
            XCTAssertEqual(badMobile.status, .unprocessableEntity)
            XCTAssertTrue(badMobile.text.contains(##"<a href="#mobile">"##))
            let mobile = try await browser.post("/account/contact", form: ["mobile": "0912-345-678", "email": "wang@example.org"])
            XCTAssertEqual(mobile.headers.first(name: .location), "/account?notice=contact_changed")
            var stored = try await Patron.find(patron.id, on: app.db)
            XCTAssertEqual(stored?.mobile, "0912345678")

            let noPassword = try await browser.post("/account/contact", form: ["mobile": "0912345678", "email": "new@example.org"])
            XCTAssertEqual(noPassword.status, .unprocessableEntity)
            XCTAssertTrue(noPassword.text.contains("請輸入目前的密碼"))
            let wrongPassword = try await browser.post("/account/contact", form: [
                "mobile": "0912345678", "email": "new@example.org", "currentPassword": "guess"])
            XCTAssertTrue(wrongPassword.text.contains("目前的密碼不正確"))
            stored = try await Patron.find(patron.id, on: app.db)
            XCTAssertEqual(stored?.email, "wang@example.org", "nothing changed without the password")

            let email = try await browser.post("/account/contact", form: [
                "mobile": "0912345678", "email": "new@example.org", "currentPassword": "river lantern mango"])
            XCTAssertEqual(email.status, .seeOther)
            stored = try await Patron.find(patron.id, on: app.db)
            XCTAssertEqual(stored?.email, "new@example.org")
            let warned = try await mails(app).filter { $0.subject == "一證通：電子信箱已變更" }
            XCTAssertEqual(warned.map(\.to), ["wang@example.org"], "the old address is told")
            let events = try await OutboxMessage.query(on: app.db).filter(\.$kind == .partnerEvent).sort(\.$id).all()
                .map { try JSONDecoder.partnerEvents.decode(PartnerEvents.Queued.self, from: Data($0.payload.utf8)).type }
            XCTAssertEqual(events, [.linkCreated, .patronUpdated, .patronUpdated], "the linked partner hears of each change")
            let audited = try await AuditEvent.query(on: app.db).filter(\.$action == "reader.contact_changed").count()
            XCTAssertEqual(audited, 2)
        }
    }

    func testANameChangeIsARequestThatADeskApproves() async throws {
        try await withTestApp { app in
            let (browser, patron) = try await signedInReader(app)
            let form = try await browser.get("/account/requests/name_change")
            XCTAssertTrue(form.text.contains("<strong>王小明</strong>"))
            let same = try await browser.post("/account/requests/name_change", form: ["name": "王小明"])
            XCTAssertTrue(same.text.contains("新姓名與目前的姓名相同"))
            let asked = try await browser.post("/account/requests/name_change", form: ["name": "王大明", "note": "已改名"])
            XCTAssertEqual(asked.headers.first(name: .location), "/account?notice=name_change_requested")
            try await browser.get("/account/requests/name_change")
            let twice = try await browser.post("/account/requests/name_change", form: ["name": "王中明"])
            XCTAssertEqual(twice.status, .conflict, "one open request of a kind")
            var stored = try await Patron.find(patron.id, on: app.db)
            XCTAssertEqual(stored?.name, "王小明", "nothing changes before staff decide")

            let other = try await signedInStaff(app, role: "desk", library: "NTPL", email: "desk@ntpl.example")
            let elsewhere = try await other.get("/staff/requests")
            XCTAssertFalse(elsewhere.text.contains("王大明"), "another library's desk does not see it")

            let desk = try await signedInStaff(app)
            let list = try await desk.get("/staff/requests")
            XCTAssertTrue(list.text.contains("王大明"))
            let request = try await XCTUnwrapAsync(await PatronRequest.query(on: app.db).first())
            let approved = try await desk.post("/staff/requests/\(request.id!.uuidString)", form: ["decision": "approve"])
            XCTAssertEqual(approved.headers.first(name: .location), "/staff/requests?decided=1")
            stored = try await Patron.find(patron.id, on: app.db)
            XCTAssertEqual(stored?.name, "王大明")
            let sent = try await mails(app)
            XCTAssertTrue(sent.contains { $0.subject == "一證通：姓名已更改" && $0.body.contains("王大明") })
            let audited = try await AuditEvent.query(on: app.db).filter(\.$action == "patron_request.name_change.approved").count()
            XCTAssertEqual(audited, 1)
        }
    }

    func testANameChangeWithLineBreaksOrAngleBracketsIsRefused() async throws {
        try await withTestApp { app in
            let (browser, patron) = try await signedInReader(app)
            // #12 item 11: these were accepted, and stored on approval.
            for bad in ["王大明\r\n", "王\r\n大明", "王<b>大明</b>", "王\u{1F}大明", "王\t大明"] {
                try await browser.get("/account/requests/name_change")
                let refused = try await browser.post("/account/requests/name_change", form: ["name": bad])
                XCTAssertEqual(refused.status, .unprocessableEntity, bad.debugDescription)
                XCTAssertTrue(refused.text.contains("姓名不可超過 60 個字，只能有文字、空格與「·」「.」「-」「（）」等姓名用的符號"), bad.debugDescription)
            }
            let requests = try await PatronRequest.query(on: app.db).count()
            XCTAssertEqual(requests, 0, "nothing reaches the desk")
            // The punctuation names use stays; spaces at the ends go.
            try await browser.get("/account/requests/name_change")
            let asked = try await browser.post("/account/requests/name_change", form: ["name": "\u{3000}Walis Nokan·瓦歷斯 "])
            XCTAssertEqual(asked.status, .seeOther, asked.text)
            let request = try await XCTUnwrapAsync(await PatronRequest.query(on: app.db).first())
            XCTAssertEqual(request.requestedName, "Walis Nokan·瓦歷斯")
            XCTAssertEqual(request.$patron.id, patron.id)

            // A request stored before the rule is not approved into the patron's name.
            request.requestedName = "王\r\n<大明>"
            try await request.save(on: app.db)
            let desk = try await signedInStaff(app)
            try await desk.get("/staff/requests")
            let approved = try await desk.post("/staff/requests/\(request.id!.uuidString)", form: ["decision": "approve"])
            XCTAssertEqual(approved.status, .unprocessableEntity)
            XCTAssertTrue(approved.text.contains("這個新姓名含有姓名不會用到的字元"), approved.text)
            let stored = try await Patron.find(patron.id, on: app.db)
            XCTAssertEqual(stored?.name, "王小明")
            let rejected = try await desk.post("/staff/requests/\(request.id!.uuidString)", form: ["decision": "reject", "reason": "請重新申請"])
            XCTAssertEqual(rejected.status, .seeOther, "it can still be rejected")
        }
    }

    func testErasureNeedsThePasswordAndAnAdministratorAndTellsThePartners() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let (browser, patron) = try await signedInReader(app)
            try await browser.get("/account/partners/NTPL")
            try await browser.post("/account/partners/NTPL", form: ["decision": "agree"])
            try await browser.get("/account/requests/deletion")
            let noPassword = try await browser.post("/account/requests/deletion", form: ["note": ""])
            XCTAssertEqual(noPassword.status, .unprocessableEntity)
            XCTAssertTrue(noPassword.text.contains("請輸入目前的密碼"))
            let asked = try await browser.post("/account/requests/deletion", form: ["currentPassword": "river lantern mango"])
            XCTAssertEqual(asked.headers.first(name: .location), "/account?notice=deletion_requested")
            let account = try await browser.get("/account")
            XCTAssertTrue(account.text.contains("刪除資料申請處理中。"))

            let desk = try await signedInStaff(app)
            let request = try await XCTUnwrapAsync(await PatronRequest.query(on: app.db).filter(\.$kind == .deletion).first())
            let list = try await desk.get("/staff/requests")
            XCTAssertTrue(list.text.contains("刪除資料須由系統管理者核准。"))
            XCTAssertFalse(list.text.contains("/staff/requests/\(request.id!.uuidString)"), "a desk gets no buttons for it")
            try await desk.get("/staff") // a page with a form, for the CSRF token: the refusal must be about the role
            let refused = try await desk.post("/staff/requests/\(request.id!.uuidString)", form: ["decision": "approve"])
            XCTAssertEqual(refused.status, .forbidden)
            XCTAssertFalse(refused.text.contains("csrf"))
            let stillPending = try await PatronRequest.find(request.id, on: app.db)?.status
            XCTAssertEqual(stillPending, .pending)

            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            try await admin.get("/staff/requests")
            let approved = try await admin.post("/staff/requests/\(request.id!.uuidString)", form: ["decision": "approve"])
            XCTAssertEqual(approved.status, .seeOther)

            let erased = try await XCTUnwrapAsync(await Patron.find(patron.id, on: app.db))
            XCTAssertEqual(erased.status, .erased)
            XCTAssertEqual(erased.name, "")
            XCTAssertNil(erased.idNumberSealed)
            XCTAssertNil(erased.idNumberIndex)
            XCTAssertNil(erased.email)
            XCTAssertNil(erased.birthDate)
            XCTAssertNil(erased.passwordHash)
            XCTAssertNil(erased.cardNumber)
            let open = try await ConsentRecord.query(on: app.db).filter(\.$withdrawnAt == nil).count()
            XCTAssertEqual(open, 0, "every consent ends")
            let events = try await OutboxMessage.query(on: app.db).filter(\.$kind == .partnerEvent).sort(\.$id).all()
                .map { try JSONDecoder.partnerEvents.decode(PartnerEvents.Queued.self, from: Data($0.payload.utf8)) }
            XCTAssertEqual(events.map(\.type), [.linkCreated, .patronErased])
            XCTAssertEqual(events.last?.cardNumber, patron.cardNumber, "the partner learns which card to erase")
            let goodbye = try await mails(app).filter { $0.subject == "一證通：您的資料已刪除" }
            XCTAssertEqual(goodbye.map(\.to), ["wang@example.org"])
            // Every earlier email to the person (application, activation, consent notices) is emptied.
            let holding = try await OutboxMessage.query(on: app.db).filter(\.$kind == .email).all()
                .filter { $0.payload.contains("wang@example.org") || $0.payload.contains("王小明") }
            XCTAssertEqual(holding.count, 1, "only the confirmation of the erasure still names the person")
            XCTAssertTrue(goodbye[0].body.hasPrefix("王小明 您好"))

            // Once the confirmation is delivered, no row of the outbox names the person any more: not 30 days later.
            let dropFiles = { (try? FileManager.default.contentsOfDirectory(atPath: app.settings.mailDropDirectory))?.filter { $0.hasSuffix(".eml") } ?? [] }
            let goodbyeFile = FileMailer.fileName(for: goodbye[0])
            try await app.outboxWorker.deliverDue()
            let sent = try await OutboxMessage.query(on: app.db).filter(\.$kind == .email).all()
            XCTAssertTrue(sent.allSatisfy { $0.status == .delivered })
            let naming = try await OutboxMessage.query(on: app.db).all()
                .filter { $0.payload.contains("wang@example.org") || $0.payload.contains("王小明") || ($0.lastError ?? "").contains("wang@example.org") }
            XCTAssertEqual(naming.map(\.id), [], "the delivered confirmation is emptied at once")
            let emptied = try await mails(app).filter { $0.messageID == goodbye[0].messageID }
            XCTAssertEqual(emptied, [PatronMail.emptied(goodbye[0])], "its Message-ID and date stay, as for any emptied email")
            // The mail-drop copy (a setup without SMTP) is the delivered mail, and goes at the age of any other.
            XCTAssertTrue(dropFiles().contains(goodbyeFile))
            clock.advance(by: Double(PatronMail.deliveredRetentionDays + 1) * 86_400)
            try await PatronMail.emptyDelivered(now: clock.now, on: app.db, mailDropDirectory: app.settings.mailDropDirectory, logger: app.logger)
            XCTAssertFalse(dropFiles().contains(goodbyeFile))
            let marked = try await OutboxMessage.query(on: app.db).filter(\.$emptiedOnceSent == true).count()
            XCTAssertEqual(marked, 0, "housekeeping owes it nothing more")

            // The session ends with the card; the person can apply again from scratch.
            let after = try await browser.get("/account")
            XCTAssertEqual(after.headers.first(name: .location), "/login")
            let again = try await submitApplication(app)
            XCTAssertEqual(again.status, .pending)
        }
    }

    func testWithdrawingConsents() async throws {
        try await withTestApp { app in
            let (browser, patron) = try await signedInReader(app)
            try await browser.get("/account/partners/NTPL")
            try await browser.post("/account/partners/NTPL", form: ["decision": "agree"])
            let account = try await browser.get("/account")
            XCTAssertTrue(account.text.contains("撤回並申請刪除資料"), "the card's own statement says what withdrawing it means")
            let records = try await ConsentRecord.query(on: app.db).filter(\.$patron.$id == patron.requireID()).with(\.$document).all()
            let link = try XCTUnwrap(records.first { $0.document.code == "NTPL_LINK" })
            let withdrawn = try await browser.post("/account/consents/\(link.id!.uuidString)/withdraw", form: [:])
            XCTAssertEqual(withdrawn.headers.first(name: .location), "/account?notice=consent_withdrawn")
            let status = try await PartnerLink.query(on: app.db).first()?.status
            XCTAssertEqual(status, .withdrawn, "withdrawing a partner consent is 停用")

            let privacy = try XCTUnwrap(records.first { $0.document.code == "TPML_PRIVACY" })
            try await browser.get("/account")
            let erasure = try await browser.post("/account/consents/\(privacy.id!.uuidString)/withdraw", form: [:])
            XCTAssertEqual(erasure.headers.first(name: .location), "/account?notice=deletion_requested")
            let requests = try await PatronRequest.query(on: app.db).filter(\.$kind == .deletion).count()
            XCTAssertEqual(requests, 1)

            // Someone else's consent cannot be withdrawn from this session.
            let (_, other) = try await signedInReader(app, idNumber: nationalID(4242))
            let theirs = try await XCTUnwrapAsync(await ConsentRecord.query(on: app.db).filter(\.$patron.$id == other.requireID()).first())
            try await browser.get("/account")
            let foreign = try await browser.post("/account/consents/\(theirs.id!.uuidString)/withdraw", form: [:])
            XCTAssertEqual(foreign.status, .notFound)
        }
    }

    /// Finding the request, the rule of who decides what, and the missing decision are the service's now;
    /// they still refuse in the page's order: not found, then forbidden, then a bad request.
    func testAStaffDecisionIsRefusedAsNotFoundThenForbiddenThenBadRequest() async throws {
        try await withTestApp { app in
            let (browser, _) = try await signedInReader(app)
            try await browser.get("/account/requests/name_change")
            try await browser.post("/account/requests/name_change", form: ["name": "王大明"])
            try await browser.get("/account/requests/deletion")
            try await browser.post("/account/requests/deletion", form: ["currentPassword": "river lantern mango"])
            let nameChange = try await XCTUnwrapAsync(await PatronRequest.query(on: app.db).filter(\.$kind == .nameChange).first())
            let deletion = try await XCTUnwrapAsync(await PatronRequest.query(on: app.db).filter(\.$kind == .deletion).first())

            let desk = try await signedInStaff(app)
            try await desk.get("/staff")
            let unknown = try await desk.post("/staff/requests/\(UUID().uuidString)", form: ["decision": "maybe"])
            XCTAssertEqual(unknown.status, .notFound)
            let other = try await signedInStaff(app, role: "desk", library: "NTPL", email: "desk@ntpl.example")
            try await other.get("/staff")
            let elsewhere = try await other.post("/staff/requests/\(nameChange.id!.uuidString)", form: ["decision": "approve"])
            XCTAssertEqual(elsewhere.status, .notFound, "another library's request is not found")
            let forbidden = try await desk.post("/staff/requests/\(deletion.id!.uuidString)", form: ["decision": "maybe"])
            XCTAssertEqual(forbidden.status, .forbidden, "a desk may not decide an erasure, whatever the form says")
            XCTAssertTrue(forbidden.text.contains("您的職務無法使用此功能。"))
            let undecided = try await desk.post("/staff/requests/\(nameChange.id!.uuidString)", form: ["decision": "maybe"])
            XCTAssertEqual(undecided.status, .badRequest)
            XCTAssertTrue(undecided.text.contains("送出的資料無法處理，請檢查後再試一次。"))
            let pending = try await PatronRequest.query(on: app.db).filter(\.$status == .pending).count()
            XCTAssertEqual(pending, 2, "nothing was decided")
            let decided = try await AuditEvent.query(on: app.db).filter(\.$action ~~ ["patron_request.name_change.approved",
                                                                                    "patron_request.name_change.rejected"]).count()
            XCTAssertEqual(decided, 0)
        }
    }
}
