import Fluent
import Foundation
import OneCardDomain
import XCTVapor
@testable import App
import TestSubprocess

/// The desk completes online applications: find, look (audited), check the document, activate.
final class DeskTests: XCTestCase {
    func signIn(_ app: Application, role: String = "desk", library: String = "TPML", email: String = "desk@tpml.example") async throws -> TestBrowser {
        try await signedInStaff(app, role: role, library: library, email: email)
    }

    func apply(_ app: Application, idNumber: String = "A123456789", links: [String] = []) async throws -> Patron {
        try await submitApplication(app, idNumber: idNumber, links: links)
    }

    func testDeskFindsByIDNumberOrApplicationNumberAndEveryLookIsAudited() async throws {
        try await withTestApp { app in
            let patron = try await apply(app)
            let desk = try await signIn(app)
            let byID = try await desk.get("/staff/applications?q=a123456789")
            XCTAssertEqual(byID.status, .ok)
            XCTAssertTrue(byID.text.contains(patron.applicationNumber))
            XCTAssertTrue(byID.text.contains("A12****789"), "the list shows the ID masked")
            XCTAssertFalse(byID.text.contains("A123456789"))
            let byNumber = try await desk.get("/staff/applications?q=\(patron.applicationNumber.lowercased())")
            XCTAssertTrue(byNumber.text.contains(patron.applicationNumber))
            let detail = try await desk.get("/staff/applications/\(patron.id!.uuidString)")
            XCTAssertEqual(detail.status, .ok)
            XCTAssertTrue(detail.text.contains("A123456789"), "the desk compares the full number with the document")
            let views = try await AuditEvent.query(on: app.db).filter(\.$action == "patron.viewed").all()
            XCTAssertEqual(views.count, 1)
            XCTAssertEqual(views.first?.subjectID, patron.id!.uuidString)
            let searches = try await AuditEvent.query(on: app.db).filter(\.$action == "patron.searched").count()
            XCTAssertEqual(searches, 2)
        }
    }

    func testAfterKeyRotationAndARestartOldApplicationsStillOpenAndNewOnesUseTheNewKey() async throws {
        guard TestDatabase.postgresURL == nil else { throw XCTSkip("two app instances share one embedded database file") }
        let directory = NSTemporaryDirectory() + "onecard-rotation-\(UUID().uuidString)"
        let file = directory + "/onecard.sqlite"
        let adjust: (inout OneCardSettings) -> Void = { $0.dataDirectory = directory; $0.database = .sqliteFile(file) }
        func keyID(_ envelope: String?) -> String? { envelope?.split(separator: ":").dropFirst().first.map(String.init) }

        var before: Patron?
        try await withTestApp(adjust: adjust) { app in before = try await apply(app) }
        let oldKey = try XCTUnwrap(keyID(before?.idNumberSealed))

        // The real command, as an operator would run it between two starts.
        let rotate = try await CommandLineTests.run(["keys", "rotate"], environment: CommandLineTests.environment(dataDirectory: directory))
        XCTAssertEqual(rotate.status, 0, rotate.stderrText)

        try await withTestApp(adjust: adjust) { app in
            let desk = try await signIn(app)
            let found = try await desk.get("/staff/applications?q=A123456789")
            XCTAssertTrue(found.text.contains(before!.applicationNumber), "the blind index survives rotation")
            let detail = try await desk.get("/staff/applications/\(before!.id!.uuidString)")
            XCTAssertTrue(detail.text.contains("A123456789"), "data sealed under the old key still opens")
            let after = try await apply(app, idNumber: nationalID(7))
            let newKey = try XCTUnwrap(keyID(after.idNumberSealed))
            XCTAssertNotEqual(newKey, oldKey, "new writes use the new key")
            let reloaded = try await Patron.find(before!.id, on: app.db)
            XCTAssertEqual(keyID(reloaded?.idNumberSealed), oldKey)
        }
    }

    func testActivationNeedsTheDocumentCheckAssignsACardNumberAndBindsAnEasyCard() async throws {
        try await withTestApp { app in
            let patron = try await apply(app, links: ["NTPL"])
            let desk = try await signIn(app)
            let path = "/staff/applications/\(patron.id!.uuidString)"
            try await desk.get(path)
            let unchecked = try await desk.post(path + "/activate", form: ["easyCard": ""])
            XCTAssertEqual(unchecked.status, .unprocessableEntity)
            XCTAssertTrue(unchecked.text.contains("請先核對申請人證件並勾選確認。"))
            let badCard = try await desk.post(path + "/activate", form: ["documentChecked": "yes", "easyCard": "12AB"])
            XCTAssertTrue(badCard.text.contains("悠遊卡／一卡通卡號應為 8 至 20 位數字。"))
            let stillPending = try await Patron.find(patron.id, on: app.db)
            XCTAssertEqual(stillPending?.status, .pending)

            let done = try await desk.post(path + "/activate", form: ["documentChecked": "yes", "easyCard": "1234-5678-9012-3456"])
            XCTAssertEqual(done.status, .seeOther)
            let active = try await XCTUnwrapAsync(await Patron.find(patron.id, on: app.db))
            XCTAssertEqual(active.status, .active)
            let cardNumber = try XCTUnwrap(active.cardNumber)
            XCTAssertEqual(cardNumber, "1001000000015", "TPML prefix 1001, serial 00000001, Luhn check digit 5")
            XCTAssertNoThrow(try CardNumber.parse(cardNumber).get())
            XCTAssertEqual(active.easyCardIndex, app.vault.blindIndex("1234567890123456", context: CardActivationService.easyCardContext))
            XCTAssertFalse(active.easyCardSealed?.contains("1234567890123456") ?? true)
            let page = try await desk.get(path + "?activated=1")
            XCTAssertTrue(page.text.contains("已開通，借閱證號：1001000000015"))
            XCTAssertTrue(page.text.contains("<dd>••••3456</dd>"), "the desk sees which card was bound, masked")
            let links = try await PartnerLink.query(on: app.db).all()
            XCTAssertEqual(links.map(\.status), [.active], "links chosen in the application start with the card")
            let mails = try await OutboxMessage.query(on: app.db).filter(\.$kind == .email).all().map { try JSONDecoder().decode(MailMessage.self, from: Data($0.payload.utf8)) }
            XCTAssertTrue(mails.contains { $0.subject == "借閱證已開通" && $0.body.contains("1001000000015") })

            let twice = try await desk.post(path + "/activate", form: ["documentChecked": "yes"])
            XCTAssertEqual(twice.status, .conflict)
        }
    }

    func testAnEasyCardCanBeBoundToOnlyOneCard() async throws {
        try await withTestApp { app in
            let first = try await apply(app)
            let second = try await apply(app, idNumber: "F234567898")
            let desk = try await signIn(app)
            try await desk.get("/staff/applications/\(first.id!.uuidString)")
            try await desk.post("/staff/applications/\(first.id!.uuidString)/activate", form: ["documentChecked": "yes", "easyCard": "1234567890123456"])
            try await desk.get("/staff/applications/\(second.id!.uuidString)")
            let clash = try await desk.post("/staff/applications/\(second.id!.uuidString)/activate", form: ["documentChecked": "yes", "easyCard": "1234 5678 9012 3456"])
            XCTAssertEqual(clash.status, .conflict)
            XCTAssertTrue(clash.text.contains("這張悠遊卡／一卡通已綁定其他借閱證。"))
            XCTAssertFalse(clash.text.contains("<dd>••••3456</dd>"), "the refused card is not shown as bound")
            XCTAssertFalse(clash.text.contains("card-number"), "nor a card number that was never issued")
            XCTAssertTrue(clash.text.contains("/activate"), "the application can still be activated")
            let reloaded = try await Patron.find(second.id, on: app.db)
            XCTAssertEqual(reloaded?.status, .pending)
            XCTAssertNil(reloaded?.cardNumber)
            let ok = try await desk.post("/staff/applications/\(second.id!.uuidString)/activate", form: ["documentChecked": "yes"])
            XCTAssertEqual(ok.status, .seeOther)
            let activated = try await Patron.find(second.id, on: app.db)
            XCTAssertEqual(activated?.cardNumber, "1001000000023", "the next serial; the failed attempt used none")
        }
    }

    func testStaffOfAnotherLibrarySeeOnlyPatronsWhoLinkedTheirLibrary() async throws {
        try await withTestApp { app in
            let linked = try await apply(app, links: ["NTPL"])
            let unlinked = try await apply(app, idNumber: "F234567898")
            let newTaipei = try await signIn(app, library: "NTPL", email: "desk@ntpl.example")
            let seen = try await newTaipei.get("/staff/applications?q=A123456789")
            XCTAssertTrue(seen.text.contains(linked.applicationNumber))
            let hidden = try await newTaipei.get("/staff/applications?q=F234567898")
            XCTAssertFalse(hidden.text.contains(unlinked.applicationNumber))
            XCTAssertTrue(hidden.text.contains("查無資料。"))
            let direct = try await newTaipei.get("/staff/applications/\(unlinked.id!.uuidString)")
            XCTAssertEqual(direct.status, .notFound, "not even a hint that the record exists")
            let keelung = try await signIn(app, library: "KLPL", email: "desk@klpl.example")
            let other = try await keelung.get("/staff/applications/\(linked.id!.uuidString)")
            XCTAssertEqual(other.status, .notFound)
        }
    }

    func testReviewersCannotUseTheDesk() async throws {
        try await withTestApp { app in
            let reviewer = try await signIn(app, role: "reviewer", email: "reviewer@tpml.example")
            let response = try await reviewer.get("/staff/applications")
            XCTAssertEqual(response.status, .forbidden)
        }
    }

    func testApplicationsNotCompletedInThirtyDaysExpireAndTheirPersonalDataIsErased() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let stale = try await apply(app)
            clock.advance(by: 29 * 86400)
            let fresh = try await apply(app, idNumber: "F234567898")
            clock.advance(by: 1 * 86400 + 60)
            let expired = try await applicationExpiry(app, now: clock.now).run(on: app.db)
            XCTAssertEqual(expired, 1)
            let erased = try await XCTUnwrapAsync(await Patron.find(stale.id, on: app.db))
            XCTAssertEqual(erased.status, .expired)
            XCTAssertNil(erased.idNumberSealed)
            XCTAssertNil(erased.idNumberIndex)
            XCTAssertNil(erased.email)
            XCTAssertNil(erased.passwordHash)
            XCTAssertEqual(erased.name, "")
            XCTAssertEqual(erased.applicationNumber, stale.applicationNumber, "the number stays to answer questions")
            let untouched = try await Patron.find(fresh.id, on: app.db)
            XCTAssertEqual(untouched?.status, .pending)
            // With the data gone, the person can apply again.
            let again = try await apply(app)
            XCTAssertEqual(again.status, .pending)
        }
    }

    func testExpiryAlsoErasesTheApplicantsEmailsFromTheOutboxAndTheMailDrop() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock, adjust: { $0.pendingApplicationLifetimeDays = 10 }) { app in
            func mails() async throws -> [(row: OutboxMessage, mail: MailMessage)] {
                try await OutboxMessage.query(on: app.db).filter(\.$kind == .email).sort(\.$id).all().map {
                    ($0, try JSONDecoder().decode(MailMessage.self, from: Data($0.payload.utf8)))
                }
            }
            func dropFiles() throws -> [String] {
                (try? FileManager.default.contentsOfDirectory(atPath: app.settings.mailDropDirectory))?.filter { $0.hasSuffix(".eml") }.sorted() ?? []
            }
            let delivered = try await apply(app)
            try await app.outboxWorker.deliverDue()
            XCTAssertEqual(try dropFiles().count, 1, "without SMTP the message became an .eml file")
            let undelivered = try await apply(app, idNumber: "F234567898")
            let before = try await mails()
            XCTAssertEqual(before.count, 2)
            XCTAssertTrue(before[0].mail.body.contains("申請 10 日內未完成辦理者"), "the configured period, not a fixed 30")
            clock.advance(by: 9 * 86400)
            let fresh = try await apply(app, idNumber: nationalID(7))
            clock.advance(by: 1 * 86400 + 60)

            let expired = try await applicationExpiry(app, now: clock.now).run(on: app.db)
            XCTAssertEqual(expired, 2)
            let after = try await mails()
            XCTAssertEqual(after.count, 2, "the undelivered message is gone; the delivered one stays as an empty row")
            let emptied = try XCTUnwrap(after.first { $0.row.id == before[0].row.id })
            XCTAssertEqual(emptied.row.status, .delivered)
            for text in ["王小明", "wang@example.org", delivered.applicationNumber] {
                XCTAssertFalse(emptied.row.payload.contains(text), "nothing of the person stays in the outbox: \(text)")
            }
            XCTAssertFalse(after.contains { $0.row.payload.contains(undelivered.applicationNumber) })
            XCTAssertTrue(after.contains { $0.mail.subject.contains(fresh.applicationNumber) }, "a live application keeps its message")
            XCTAssertEqual(try dropFiles(), [], "the delivered copy in the mail drop is removed too")
            let audit = try await AuditEvent.query(on: app.db).filter(\.$action == "card_application.expired").count()
            XCTAssertEqual(audit, 2)

            try await app.outboxWorker.deliverDue()
            XCTAssertEqual(try dropFiles().count, 1, "the live application's message is still delivered")
        }
    }

    func testTheDeskSeesTheHouseholdOfAFamilyCardToCompareWithTheRegister() async throws {
        try await withTestApp { app in
            var input = CardApplicationInput()
            input.cardType = "family"; input.documentKind = "nationalID"; input.idNumber = "F234567898"; input.name = "林小華"
            input.gender = "female"; input.birthDate = "2012-01-20"; input.password = "river lantern mango"
            input.passwordConfirmation = input.password
            input.householdNumber = "f1234567"; input.headOfHouseholdName = "林大同"; input.headOfHouseholdIDNumber = nationalID(42)
            let documents = try await [ConsentDocument.current("TPML_PRIVACY", at: app.clock.now(), on: app.db), ConsentDocument.current("TAIPEI_CITY_ID", at: app.clock.now(), on: app.db)]
            let patron = try await cardApplicationService(app).submit(
                input, libraryCode: "TPML", consentedDocuments: documents, channel: "web", locale: .zhTW,
                actor: .anonymous(ipAddress: nil), limits: .web(ipAddress: nil)).patron
            let desk = try await signIn(app)
            let page = try await desk.get("/staff/applications/\(patron.id!.uuidString)")
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.text.contains("<dt>戶號</dt><dd>F1234567</dd>"))
            XCTAssertTrue(page.text.contains("<dt>戶長姓名</dt><dd>林大同</dd>"))
            let masked = try IdentityNumber.parse(nationalID(42)).get().masked
            XCTAssertTrue(page.text.contains("<dt>戶長身分證字號</dt><dd>\(masked)</dd>"))
            XCTAssertFalse(page.text.contains(nationalID(42)), "the head's number is shown masked")
            let views = try await AuditEvent.query(on: app.db).filter(\.$action == "patron.viewed").count()
            XCTAssertEqual(views, 1, "it is part of the audited look at the application")

            let personal = try await apply(app)
            let plain = try await desk.get("/staff/applications/\(personal.id!.uuidString)")
            XCTAssertFalse(plain.text.contains("戶長姓名"), "a personal card has no household")
        }
    }

    func testAFailedActivationLeavesThePatronInHandAsItWas() async throws {
        try await withTestApp { app in
            _ = try await activateCard(app, try await apply(app), easyCard: "1234567890123456")
            let second = try await apply(app, idNumber: "F234567898")
            do {
                try await activateCard(app, second, easyCard: "1234567890123456")
                XCTFail("the EasyCard is taken")
            } catch let error as DeskError {
                XCTAssertEqual(error, .easyCardTaken)
            }
            XCTAssertEqual(second.status, .pending)
            XCTAssertNil(second.cardNumber)
            XCTAssertNil(second.easyCardSealed)
            XCTAssertNil(second.easyCardIndex)
            XCTAssertNil(second.activatedAt)
        }
    }

    func testTwoClerksActivatingTheSameApplicationAtOnceIssueOneCard() async throws {
        try await withTestApp { app in
            let patron = try await apply(app)
            let path = "/staff/applications/\(patron.id!.uuidString)"
            var clerks: [(cookie: String, csrf: String)] = []
            for email in ["desk1@tpml.example", "desk2@tpml.example"] {
                let desk = try await signIn(app, email: email)
                try await desk.get(path)
                clerks.append((desk.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "), try XCTUnwrap(desk.lastCSRFToken)))
            }
            let attempts = clerks + clerks + clerks + clerks
            let answers = try await withThrowingTaskGroup(of: (UInt, String).self) { group in
                for clerk in attempts {
                    group.addTask {
                        var headers: HTTPHeaders = [:]
                        headers.contentType = .urlEncodedForm
                        headers.replaceOrAdd(name: .cookie, value: clerk.cookie)
                        let body = ByteBuffer(string: "_csrf=\(clerk.csrf.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&documentChecked=yes&easyCard=")
                        let response = try await app.testable().sendRequest(.POST, path + "/activate", headers: headers, body: body)
                        return (response.status.code, response.body.string)
                    }
                }
                var all: [(UInt, String)] = []
                for try await answer in group { all.append(answer) }
                return all
            }
            XCTAssertEqual(answers.filter { $0.0 == 303 }.count, 1, "\(answers.map(\.0))")
            let losers = answers.filter { $0.0 != 303 }
            XCTAssertEqual(losers.map(\.0), Array(repeating: 409, count: attempts.count - 1))
            XCTAssertTrue(losers.allSatisfy { $0.1.contains("這筆申請已經辦理或已逾期。") })
            XCTAssertTrue(losers.allSatisfy { $0.1.contains("1001000000015") && !$0.1.contains("/activate\"") },
                          "the loser sees the card the winner issued, and no activation form")
            let activated = try await XCTUnwrapAsync(await Patron.find(patron.id, on: app.db))
            XCTAssertEqual(activated.cardNumber, "1001000000015")
            let audits = try await AuditEvent.query(on: app.db).filter(\.$action == "card.activated").count()
            XCTAssertEqual(audits, 1)
            let next = try await activateCard(app, try await apply(app, idNumber: "F234567898"))
            XCTAssertEqual(next.cardNumber, "1001000000023", "the losers used no serial")
        }
    }
}
