import Fluent
import Foundation
import SQLKit
import XCTVapor
@testable import App

/// Issue #14 item 6, libraries: an administrator's service desks and partner services, the consortium
/// administrator's member libraries; and two small fixes of the back office (whose trail a look is in, and
/// the dashboard's failing deliveries counted in SQL).
final class LibraryAdministrationTests: XCTestCase {
    func libraryID(_ app: Application, _ code: String) async throws -> UUID {
        try await Library.require(code: code, on: app.db).requireID()
    }

    /// The part of a page from `marker` to the end of its list item (one dashboard queue).
    func section(_ html: String, from marker: String) -> String {
        guard let start = html.range(of: marker) else { return "" }
        let rest = html[start.lowerBound...]
        return String(rest[..<(rest.range(of: "</li>")?.upperBound ?? rest.endIndex)])
    }

    // MARK: Small fixes

    func testALookAtAPatronIsInTheTrailOfTheLibraryThatLookedNotTheHomeLibrarys() async throws {
        try await withTestApp { app in
            let linked = try await activateCard(app, try await submitApplication(app, idNumber: "F234567898", links: ["NTPL"]))
            let newTaipei = try await signedInStaff(app, library: "NTPL", email: "desk@ntpl.example")
            let desk = try await newTaipei.get("/staff/applications/\(linked.id!.uuidString)")
            XCTAssertEqual(desk.status, .ok)
            let record = try await newTaipei.get("/staff/patrons/\(linked.id!.uuidString)")
            XCTAssertEqual(record.status, .ok)
            let revealed = try await newTaipei.post("/staff/patrons/\(linked.id!.uuidString)/id-number", form: [:])
            XCTAssertEqual(revealed.status, .ok)
            let ntpl = try await libraryID(app, "NTPL")
            for action in ["patron.viewed", "patron.record_viewed", "patron.id_number_revealed"] {
                let looks = try await AuditEvent.query(on: app.db).filter(\.$action == action).all()
                XCTAssertEqual(looks.count, 1, action)
                XCTAssertEqual(looks.first?.subjectID, linked.id!.uuidString, action)
                XCTAssertEqual(looks.first?.libraryID, ntpl, "\(action) is in New Taipei's trail, the library that looked")
            }
            // The reader's 個人資料查閱紀錄 names New Taipei for each of them.
            let reader = TestBrowser(app)
            try await reader.get("/login")
            try await reader.post("/login", form: ["identifier": linked.cardNumber!, "password": "river lantern mango"])
            let log = try await reader.get("/account/access-log")
            XCTAssertEqual(log.status, .ok)
            XCTAssertTrue(log.text.contains("新北市立圖書館"))
        }
    }

    func testTheDashboardCountsALibrarysFailingDeliveriesInSQLWhateverTheOtherLibrariesHave() async throws {
        try await withTestApp { app in
            let (tpml, ntpl, klpl) = (try await libraryID(app, "TPML"), try await libraryID(app, "NTPL"), try await libraryID(app, "KLPL"))
            let now = app.clock.now()
            func delivery(partner: UUID, home: UUID, status: OutboxMessage.Status, attempts: Int) throws -> OutboxMessage {
                let queued = PartnerEvents.Queued(eventID: UUID(), type: .linkCreated, occurredAt: now, partnerLibraryID: partner,
                                                  patronID: UUID(), homeLibraryID: home, cardNumber: nil)
                let message = OutboxMessage(kind: .partnerEvent, partitionKey: "partner:\(partner.uuidString):patron:\(queued.patronID.uuidString)",
                                            payload: String(decoding: try JSONEncoder.partnerEvents.encode(queued), as: UTF8.self), now: now)
                message.partnerLibraryID = partner
                message.homeLibraryID = home
                message.status = status
                message.attempts = attempts
                return message
            }
            // A thousand and one failing deliveries between two other libraries, queued first…
            try await (0..<1001).map { _ in try delivery(partner: klpl, home: ntpl, status: .failed, attempts: 8) }.create(on: app.db)
            // …then Taipei's: one given up, one still retrying after three attempts, one too new to show.
            try await [delivery(partner: tpml, home: ntpl, status: .failed, attempts: 8),
                       delivery(partner: klpl, home: tpml, status: .pending, attempts: 3),
                       delivery(partner: tpml, home: klpl, status: .pending, attempts: 1)].create(on: app.db)

            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let home = try await admin.get("/staff")
            let deliveries = section(home.text, from: #"<h3><a href="/staff/deliveries">"#)
            XCTAssertTrue(deliveries.contains(#"class="queue-count">2<"#), "Taipei's two, not the first thousand rows': \(deliveries)")
            XCTAssertTrue(deliveries.contains(#"<span class="overdue-mark">1</span>"#), deliveries)
        }
    }

    // MARK: Service desks

    static let captcha = "12345"

    func withApplyApp(_ body: (Application) async throws -> Void) async throws {
        try await withTestApp(clock: TestClock(), adjust: { $0.captchaTestAnswer = Self.captcha }, body)
    }

    /// Applies through the site as a reader does and returns the 線上申辦成功 page.
    func applyThroughTheSite(_ app: Application, idNumber: String = "A123456789", language: String = "zh-TW") async throws -> XCTHTTPResponse {
        let browser = TestBrowser(app)
        if language == "en" { try await browser.get("/?lang=en") }
        try await browser.get("/apply")
        try await browser.post("/apply", form: ["agree": "yes"])
        try await browser.get("/apply/form")
        try await browser.get("/apply/captcha.png")
        var form = CardApplicationTests.validForm(idNumber: idNumber)
        form["captcha"] = Self.captcha
        let response = try await browser.post("/apply/form", form: form)
        XCTAssertEqual(response.headers.first(name: .location), "/apply/done")
        return try await browser.get("/apply/done")
    }

    func audits(_ app: Application, _ action: String) async throws -> [AuditEvent] {
        try await AuditEvent.query(on: app.db).filter(\.$action == action).all()
    }

    func directory(_ app: Application) async throws -> [LibraryDTO] {
        let response = try await TestBrowser(app).get("/api/v1/libraries")
        XCTAssertEqual(response.status, .ok)
        return try JSONDecoder().decode([LibraryDTO].self, from: Data(response.body.readableBytesView))
    }

    func testAnAdministratorAddsRenamesAndClosesDesksAuditedAndTheReaderAndTheDirectorySeeOnlyOpenOnes() async throws {
        try await withApplyApp { app in
            let tpml = try await libraryID(app, "TPML")
            _ = try await directory(app) // the directory is now cached: each change must drop it
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let page = try await admin.get("/staff/library")
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.text.contains(#"href="/staff/library""#), "the room is in the administrator's navigation")
            XCTAssertTrue(page.text.contains("北投分館"))

            let added = try await admin.post("/staff/library/desks", form: ["code": " xinyi ", "nameZH": "信義分館", "nameEN": "Xinyi Branch"])
            XCTAssertEqual(added.status, .seeOther)
            XCTAssertEqual(added.headers.first(name: .location), "/staff/library?done=desk_added")
            let desk = try await ServiceDesk.query(on: app.db).filter(\.$library.$id == tpml).filter(\.$code == "XINYI").first()
            XCTAssertEqual(desk?.nameZH, "信義分館")
            XCTAssertEqual(desk?.position, 4, "after the four seeded desks")
            let addedAudit = try await audits(app, "service_desk.added")
            XCTAssertEqual(addedAudit.count, 1)
            XCTAssertEqual(addedAudit.first?.libraryID, tpml)
            XCTAssertEqual(addedAudit.first?.actorType, "staff")
            let value1 = try await directory(app).first { $0.code == "TPML" }!.desks.contains { $0.name.en == "Xinyi Branch" }
            XCTAssertTrue(value1,
                          "the directory shows the new desk at once")
            let done = try await applyThroughTheSite(app)
            XCTAssertTrue(done.text.contains("<li>信義分館</li>"), "the reader is told of the new desk: \(done.text)")

            // Rename: both names, audited with the old ones.
            try await admin.get("/staff/library")
            let renamed = try await admin.post("/staff/library/desks/\(desk!.id!.uuidString)",
                                               form: ["nameZH": "信義親子分館", "nameEN": "Xinyi Family Branch"])
            XCTAssertEqual(renamed.status, .seeOther)
            let renamedAudit = try await audits(app, "service_desk.renamed")
            XCTAssertEqual(renamedAudit.first?.detail("fromZH"), "信義分館")
            XCTAssertEqual(renamedAudit.first?.detail("nameEN"), "Xinyi Family Branch")
            let value2 = try await directory(app).first { $0.code == "TPML" }!.desks.contains { $0.name.en == "Xinyi Family Branch" }
            XCTAssertTrue(value2)

            // Close Beitou: gone from the done page, the email's list and the directory; applications stay.
            let waiting = try await Patron.query(on: app.db).filter(\.$status == .pending).count()
            let beitou = try await ServiceDesk.query(on: app.db).filter(\.$library.$id == tpml).filter(\.$code == "BEITOU").first()!
            try await admin.get("/staff/library")
            let closed = try await admin.post("/staff/library/desks/\(beitou.id!.uuidString)/close", form: [:])
            XCTAssertEqual(closed.status, .seeOther)
            let value3 = try await ServiceDeskClosure.find(beitou.id, on: app.db)?.closedAt
            XCTAssertNotNil(value3)
            let value4 = try await audits(app, "service_desk.closed").first?.detail("code")
            XCTAssertEqual(value4, "BEITOU")
            let value5 = try await directory(app).first { $0.code == "TPML" }!.desks.contains { $0.code == "BEITOU" }
            XCTAssertFalse(value5)
            let value6 = try await Patron.query(on: app.db).filter(\.$status == .pending).count()
            XCTAssertEqual(value6, waiting, "no application is touched")
            let after = try await applyThroughTheSite(app, idNumber: nationalID(5), language: "en")
            XCTAssertFalse(after.text.contains("Beitou Branch"), "a closed desk takes no new applications")
            XCTAssertTrue(after.text.contains("<li>Xinyi Family Branch</li>"))
            XCTAssertTrue(after.text.contains("<li>Main Library</li>"))
            let listing = try await admin.get("/staff/library?lang=en")
            XCTAssertTrue(listing.text.contains("The desk was closed.") == false, "the notice belongs to the redirect only")
            XCTAssertTrue(listing.text.contains(#"<span class="desk-closed">Closed</span>"#))
            XCTAssertFalse(listing.text.contains("/staff/library/desks/\(beitou.id!.uuidString)/close"), "a closed desk is not closed twice")
        }
    }

    func testAClosedDeskIsReopenedByItsOwnLibrarysAdministratorAuditedAndOfferedToReadersAgain() async throws {
        try await withApplyApp { app in
            let tpml = try await libraryID(app, "TPML")
            let beitou = try await ServiceDesk.query(on: app.db).filter(\.$library.$id == tpml).filter(\.$code == "BEITOU").first()!
            let reopenPath = "/staff/library/desks/\(beitou.id!.uuidString)/reopen"
            let closePath = "/staff/library/desks/\(beitou.id!.uuidString)/close"
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            try await admin.get("/staff/library")
            let open = try await admin.get("/staff/library")
            XCTAssertFalse(open.text.contains(reopenPath), "an open desk is not reopened")
            let closed = try await admin.post(closePath, form: [:])
            XCTAssertEqual(closed.status, .seeOther)
            _ = try await directory(app) // cached while Beitou is closed: reopening must drop it
            let before = try await applyThroughTheSite(app)
            XCTAssertFalse(before.text.contains("<li>北投分館</li>"))

            // Nobody but Taipei's own administrator reopens it: other roles 403, another library's admin 404.
            let desk = try await signedInStaff(app)
            let reviewer = try await signedInStaff(app, role: "reviewer", email: "reviewer@tpml.example")
            let consortium = try await signedInStaff(app, role: "consortium_admin", library: "NLPI", email: "consortium@nlpi.example")
            for browser in [desk, reviewer, consortium] {
                try await browser.get("/staff")
                let status = try await browser.post(reopenPath, form: [:]).status
                XCTAssertEqual(status, .forbidden)
            }
            let keelung = try await signedInStaff(app, role: "admin", library: "KLPL", email: "admin@klpl.example")
            try await keelung.get("/staff/library")
            let elsewhere = try await keelung.post(reopenPath, form: [:]).status
            XCTAssertEqual(elsewhere, .notFound)
            let stillClosed = try await ServiceDeskClosure.find(beitou.id, on: app.db)?.closedAt
            XCTAssertNotNil(stillClosed)
            let refusedAudits = try await audits(app, "service_desk.reopened").count
            XCTAssertEqual(refusedAudits, 0)

            // The administrator reopens it from the page (the button is there only for a closed desk).
            let listing = try await admin.get("/staff/library?lang=en")
            XCTAssertTrue(listing.text.contains(reopenPath))
            XCTAssertTrue(listing.text.contains("Reopen Beitou Branch"))
            let reopened = try await admin.post(reopenPath, form: [:])
            XCTAssertEqual(reopened.status, .seeOther)
            XCTAssertEqual(reopened.headers.first(name: .location), "/staff/library?done=desk_reopened")
            let closedAt = try await ServiceDeskClosure.find(beitou.id, on: app.db)?.closedAt
            XCTAssertNil(closedAt)
            let entries = try await audits(app, "service_desk.reopened")
            XCTAssertEqual(entries.count, 1)
            XCTAssertEqual(entries.first?.libraryID, tpml)
            XCTAssertEqual(entries.first?.actorType, "staff")
            XCTAssertEqual(entries.first?.subjectID, beitou.id!.uuidString)
            XCTAssertEqual(entries.first?.detail("code"), "BEITOU")
            let notice = try await admin.get("/staff/library?done=desk_reopened&lang=en")
            XCTAssertTrue(notice.text.contains("The desk is open again."))
            XCTAssertTrue(notice.text.contains(closePath), "it can be closed again")
            XCTAssertFalse(notice.text.contains(reopenPath))

            // Offered to readers again at once: the directory and the application's done page.
            let listed = try await directory(app).first { $0.code == "TPML" }!.desks.contains { $0.code == "BEITOU" }
            XCTAssertTrue(listed)
            let after = try await applyThroughTheSite(app, idNumber: nationalID(6))
            XCTAssertTrue(after.text.contains("<li>北投分館</li>"), after.text)
            let twice = try await admin.post(reopenPath, form: [:]).status
            XCTAssertEqual(twice, .notFound, "an open desk is not reopened")
            let value = try await audits(app, "service_desk.reopened").count
            XCTAssertEqual(value, 1)
        }
    }

    func testDeskFormsAreCheckedFieldByFieldNamingTheFieldAndWriteNothingWhenRefused() async throws {
        try await withTestApp { app in
            let hcpl = try await libraryID(app, "HCPL")
            let admin = try await signedInStaff(app, role: "admin", library: "HCPL", email: "admin@hcpl.example")
            try await admin.get("/staff/library")
            let empty = try await admin.post("/staff/library/desks", form: ["code": "9x", "nameZH": " ", "nameEN": ""])
            XCTAssertEqual(empty.status, .unprocessableEntity)
            XCTAssertTrue(empty.text.contains("代碼：請填 2 至 12 個英文字母或數字，並以字母開頭。"))
            XCTAssertTrue(empty.text.contains("中文名稱：請填寫。"))
            XCTAssertTrue(empty.text.contains("英文名稱：請填寫。"))
            XCTAssertTrue(empty.text.contains(#"value="9x""#), "what was typed is kept")
            XCTAssertTrue(empty.text.contains(#"aria-invalid="true" aria-describedby="code-hint code-error""#))

            let taken = try await admin.post("/staff/library/desks", form: ["code": "zhudong", "nameZH": "總館", "nameEN": "Guanxi Branch"])
            XCTAssertEqual(taken.status, .unprocessableEntity)
            XCTAssertTrue(taken.text.contains("服務臺代碼：本館已有使用此代碼的服務臺（含已關閉者）。"))
            XCTAssertTrue(taken.text.contains("中文名稱：本館已有同名的服務臺。"))
            let english = try await admin.post("/staff/library/desks?lang=en", form: ["code": "GUANXI", "nameZH": "關西分館", "nameEN": "Main Library"])
            XCTAssertEqual(english.status, .unprocessableEntity)
            XCTAssertTrue(english.text.contains("Name in English: another desk of your library has this name."), english.text)
            let value7 = try await ServiceDesk.query(on: app.db).filter(\.$library.$id == hcpl).count()
            XCTAssertEqual(value7, 2, "nothing written")

            let zhudong = try await ServiceDesk.query(on: app.db).filter(\.$library.$id == hcpl).filter(\.$code == "ZHUDONG").first()!
            try await admin.get("/staff/library?lang=zh-TW")
            let clash = try await admin.post("/staff/library/desks/\(zhudong.id!.uuidString)", form: ["nameZH": "總館", "nameEN": "Zhudong Branch"])
            XCTAssertEqual(clash.status, .unprocessableEntity)
            XCTAssertTrue(clash.text.contains("中文名稱：本館已有同名的服務臺。"))
            XCTAssertTrue(clash.text.contains(#"id="nameZH-ZHUDONG" name="nameZH" type="text" maxlength="60" lang="zh-TW" value="總館" aria-invalid="true""#),
                          "the message and the typed name beside that desk's field")
            let value8 = try await ServiceDesk.find(zhudong.id, on: app.db)?.nameZH
            XCTAssertEqual(value8, "竹東分館")

            // Two desks: one may close, the last open one may not.
            let closed = try await admin.post("/staff/library/desks/\(zhudong.id!.uuidString)/close", form: [:])
            XCTAssertEqual(closed.status, .seeOther)
            let main = try await ServiceDesk.query(on: app.db).filter(\.$library.$id == hcpl).filter(\.$code == "MAIN").first()!
            try await admin.get("/staff/library")
            let last = try await admin.post("/staff/library/desks/\(main.id!.uuidString)/close", form: [:])
            XCTAssertEqual(last.status, .unprocessableEntity)
            XCTAssertTrue(last.text.contains("服務臺：這是本館最後一個開放中的服務臺，不能關閉；請先新增其他服務臺。"))
            let value9 = try await ServiceDeskClosure.find(main.id, on: app.db)?.closedAt
            XCTAssertNil(value9)
            let value10 = try await audits(app, "service_desk.closed").count
            XCTAssertEqual(value10, 1)

            // The database holds the rule too: a second desk of one name cannot be written around the form.
            do {
                try await ServiceDesk(libraryID: hcpl, code: "OTHER", nameZH: "總館", nameEN: "Other", position: 9).create(on: app.db)
                XCTFail("a second 總館 in one library was written")
            } catch let error as any DatabaseError where error.isConstraintFailure {}
            do {
                try await Library(code: "TPML2", nameZH: "臺北市立圖書館", nameEN: "Another", cardPrefix: "1099", position: 9).create(on: app.db)
                XCTFail("a second library of one name was written")
            } catch let error as any DatabaseError where error.isConstraintFailure {}
        }
    }

    func testOnlyAnAdministratorChangesTheirOwnLibrarysDesksAndServicesAndOnlyTheConsortiumAdministratorAddsLibraries() async throws {
        try await withTestApp { app in
            let tpml = try await libraryID(app, "TPML")
            let beitou = try await ServiceDesk.query(on: app.db).filter(\.$library.$id == tpml).filter(\.$code == "BEITOU").first()!
            let service = try await PartnerService.query(on: app.db).filter(\.$library.$id == tpml).filter(\.$code == "NTPL").first()!
            let routes: [(String, [String: String])] = [
                ("/staff/library/desks", ["code": "NEW", "nameZH": "新分館", "nameEN": "New Branch"]),
                ("/staff/library/desks/\(beitou.id!.uuidString)", ["nameZH": "改名", "nameEN": "Renamed"]),
                ("/staff/library/desks/\(beitou.id!.uuidString)/close", [:]),
                ("/staff/library/services", ["partner": "HCPL"]),
                ("/staff/library/services/\(service.id!.uuidString)/withdraw", [:]),
                ("/staff/libraries", ["code": "TTPL", "nameZH": "臺東縣立圖書館", "nameEN": "Taitung County Library", "cardPrefix": "1009"]),
            ]
            let desk = try await signedInStaff(app)
            let reviewer = try await signedInStaff(app, role: "reviewer", email: "reviewer@tpml.example")
            let consortium = try await signedInStaff(app, role: "consortium_admin", library: "NLPI", email: "consortium@nlpi.example")
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            for browser in [desk, reviewer, consortium] {
                try await browser.get("/staff")
                let value11 = try await browser.get("/staff/library").status
                XCTAssertEqual(value11, .forbidden)
                for (path, form) in routes.dropLast() {
                    let value12 = try await browser.post(path, form: form).status
                    XCTAssertEqual(value12, .forbidden, path)
                }
            }
            for browser in [desk, reviewer, admin] {
                try await browser.get("/staff")
                let value13 = try await browser.get("/staff/libraries").status
                XCTAssertEqual(value13, .forbidden)
                let value14 = try await browser.post("/staff/libraries", form: routes.last!.1).status
                XCTAssertEqual(value14, .forbidden)
            }
            let anonymous = TestBrowser(app)
            let value15 = try await anonymous.get("/staff/library").status
            XCTAssertEqual(value15, .unauthorized)
            let value16 = try await anonymous.get("/staff/libraries").status
            XCTAssertEqual(value16, .unauthorized)
            // Another library's administrator finds nothing of Taipei's.
            let keelung = try await signedInStaff(app, role: "admin", library: "KLPL", email: "admin@klpl.example")
            try await keelung.get("/staff/library")
            let value17 = try await keelung.post(routes[1].0, form: routes[1].1).status
            XCTAssertEqual(value17, .notFound)
            let value18 = try await keelung.post(routes[2].0, form: [:]).status
            XCTAssertEqual(value18, .notFound)
            let value19 = try await keelung.post(routes[4].0, form: [:]).status
            XCTAssertEqual(value19, .notFound)
            let value20 = try await ServiceDesk.find(beitou.id, on: app.db)?.nameZH
            XCTAssertEqual(value20, "北投分館")
            let value21 = try await ServiceDeskClosure.find(beitou.id, on: app.db)?.closedAt
            XCTAssertNil(value21)
            let value22 = try await PartnerServiceWithdrawal.find(service.id, on: app.db)?.withdrawnAt
            XCTAssertNil(value22)
            let value23 = try await Library.query(on: app.db).count()
            XCTAssertEqual(value23, 6)
            let changes = try await AuditEvent.query(on: app.db)
                .filter(\.$action ~~ ["service_desk.added", "service_desk.renamed", "service_desk.closed", "partner_service.offered",
                                      "partner_service.withdrawn", "library.added"]).count()
            XCTAssertEqual(changes, 0)
            // Each room is in the navigation of those who may enter it only.
            let value24 = try await desk.get("/staff").text.contains(#"href="/staff/library""#)
            XCTAssertFalse(value24)
            let value25 = try await admin.get("/staff").text.contains(#"href="/staff/library""#)
            XCTAssertTrue(value25)
            let value26 = try await admin.get("/staff").text.contains(#"href="/staff/libraries""#)
            XCTAssertFalse(value26)
            let value27 = try await consortium.get("/staff").text.contains(#"href="/staff/libraries""#)
            XCTAssertTrue(value27)
        }
    }

    // MARK: Partner services

    func testAWithdrawnPartnerServiceIsOfferedToNoNewReaderWhileLinkedReadersKeepTheirLinkAndCanEndIt() async throws {
        try await withApplyApp { app in
            let tpml = try await libraryID(app, "TPML")
            let (linkedBrowser, linked) = try await signedInReader(app, idNumber: "F234567898")
            try await linkedBrowser.get("/account/partners/NTPL")
            let enabled = try await linkedBrowser.post("/account/partners/NTPL", form: ["decision": "agree"])
            XCTAssertEqual(enabled.status, .seeOther)
            let value28 = try await PartnerLink.query(on: app.db).filter(\.$patron.$id == linked.requireID()).filter(\.$status == .active).count()
            XCTAssertEqual(value28, 1)
            let (otherBrowser, _) = try await signedInReader(app, idNumber: nationalID(9))
            _ = try await directory(app)

            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let page = try await admin.get("/staff/library")
            XCTAssertTrue(page.text.contains("啟用新北市公共圖書館一證通用服務"))
            let ntpl = try await PartnerService.query(on: app.db).filter(\.$library.$id == tpml).filter(\.$code == "NTPL").first()!
            let withdrawn = try await admin.post("/staff/library/services/\(ntpl.id!.uuidString)/withdraw", form: [:])
            XCTAssertEqual(withdrawn.status, .seeOther)
            let value29 = try await audits(app, "partner_service.withdrawn").first?.detail("partner")
            XCTAssertEqual(value29, "NTPL")
            let value30 = try await directory(app).first { $0.code == "TPML" }!.partnerServices.contains { $0.code == "NTPL" }
            XCTAssertFalse(value30)

            // A reader without the link: not listed, not enabled, not on the application form.
            let otherList = try await otherBrowser.get("/account/partners")
            XCTAssertFalse(otherList.text.contains("/account/partners/NTPL"), "a withdrawn service is not offered")
            XCTAssertTrue(otherList.text.contains("/account/partners/KLPL"))
            let value31 = try await otherBrowser.get("/account/partners/NTPL").status
            XCTAssertEqual(value31, .notFound)
            try await otherBrowser.get("/account/partners/KLPL") // a page with a form, for the session's CSRF token
            let refused = try await otherBrowser.post("/account/partners/NTPL", form: ["decision": "agree"])
            XCTAssertEqual(refused.status, .notFound)
            let applicant = TestBrowser(app)
            try await applicant.get("/apply")
            try await applicant.post("/apply", form: ["agree": "yes"])
            let form = try await applicant.get("/apply/form")
            XCTAssertFalse(form.text.contains(#"name="linkNTPL""#))
            XCTAssertTrue(form.text.contains(#"name="linkKLPL""#))

            // The linked reader keeps the link, still sees it, and can end it.
            let linkedList = try await linkedBrowser.get("/account/partners")
            XCTAssertTrue(linkedList.text.contains("啟用新北市公共圖書館一證通用服務"))
            let value32 = try await PartnerLink.query(on: app.db).filter(\.$patron.$id == linked.requireID()).filter(\.$status == .active).count()
            XCTAssertEqual(value32, 1)
            let confirm = try await linkedBrowser.get("/account/partners/NTPL/disable")
            XCTAssertEqual(confirm.status, .ok)
            let ended = try await linkedBrowser.post("/account/partners/NTPL/disable", form: ["confirm": "yes"])
            XCTAssertEqual(ended.status, .seeOther)
            let value33 = try await PartnerLink.query(on: app.db).filter(\.$patron.$id == linked.requireID()).filter(\.$status == .withdrawn).count()
            XCTAssertEqual(value33, 1)

            // Offered again, it is back for everyone.
            try await admin.get("/staff/library")
            let again = try await admin.post("/staff/library/services", form: ["partner": "NTPL"])
            XCTAssertEqual(again.status, .seeOther)
            let value34 = try await otherBrowser.get("/account/partners").text.contains("/account/partners/NTPL")
            XCTAssertTrue(value34)
            let value35 = try await audits(app, "partner_service.offered").count
            XCTAssertEqual(value35, 1)
        }
    }

    func testAnAdministratorOffersANewPartnerServiceOnlyWithAPublishedLinkStatement() async throws {
        try await withTestApp { app in
            let hcpl = try await libraryID(app, "HCPL")
            let admin = try await signedInStaff(app, role: "admin", library: "HCPL", email: "admin@hcpl.example")
            let page = try await admin.get("/staff/library")
            XCTAssertTrue(page.text.contains(#"<option value="NTPL">"#))
            XCTAssertFalse(page.text.contains(#"<option value="TPML">"#), "Hsinchu County already offers Taipei")
            XCTAssertFalse(page.text.contains(#"<option value="HCPL">"#), "not itself")
            let missing = try await admin.post("/staff/library/services", form: ["partner": "TCPL"])
            XCTAssertEqual(missing.status, .unprocessableEntity)
            XCTAssertTrue(missing.text.contains("合作館：尚未發布與此館結合的個人資料同意書，請先發布同意書再提供此服務。"))
            let itself = try await admin.post("/staff/library/services", form: ["partner": "HCPL"])
            XCTAssertEqual(itself.status, .unprocessableEntity)
            let value36 = try await PartnerService.query(on: app.db).filter(\.$library.$id == hcpl).count()
            XCTAssertEqual(value36, 1)

            let offered = try await admin.post("/staff/library/services", form: ["partner": "ntpl"])
            XCTAssertEqual(offered.status, .seeOther)
            let service = try await PartnerService.query(on: app.db).filter(\.$library.$id == hcpl).filter(\.$code == "NTPL").first()
            XCTAssertEqual(service?.kind, .partnerLibrary)
            let newTaipei = try await libraryID(app, "NTPL")
            XCTAssertEqual(service?.$partnerLibrary.id, newTaipei)
            XCTAssertEqual(service?.nameZH, "啟用新北市立圖書館一證通用服務")
            XCTAssertEqual(service?.position, 1)
            let value37 = try await audits(app, "partner_service.offered").first?.libraryID
            XCTAssertEqual(value37, hcpl)
            let listed = try await directory(app).first { $0.code == "HCPL" }!.partnerServices.map(\.code)
            XCTAssertEqual(listed, ["TPML", "NTPL"])
        }
    }

    // MARK: Member libraries

    func testTheConsortiumAdministratorAddsAMemberLibraryWithItsFirstDeskAndItIsInTheDirectoryAtOnce() async throws {
        try await withTestApp { app in
            _ = try await directory(app)
            let consortium = try await signedInStaff(app, role: "consortium_admin", library: "NLPI", email: "consortium@nlpi.example")
            let page = try await consortium.get("/staff/libraries")
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.text.contains("臺中市立圖書館"))

            let bad = try await consortium.post("/staff/libraries", form: ["code": "tpml", "nameZH": "新北市立圖書館", "nameEN": "", "cardPrefix": "10a"])
            XCTAssertEqual(bad.status, .unprocessableEntity)
            XCTAssertTrue(bad.text.contains("英文名稱：請填寫。"))
            XCTAssertTrue(bad.text.contains("借閱證號前綴：請填 4 位數字。"))
            let taken = try await consortium.post("/staff/libraries?lang=en",
                                                  form: ["code": "tpml", "nameZH": "新北市立圖書館", "nameEN": "Taitung", "cardPrefix": "1001"])
            XCTAssertEqual(taken.status, .unprocessableEntity)
            XCTAssertTrue(taken.text.contains("Library code: another member library has this code."))
            XCTAssertTrue(taken.text.contains("Name in Chinese: another member library has this name."))
            XCTAssertTrue(taken.text.contains("Card number prefix: another member library uses it."))
            XCTAssertTrue(taken.text.contains(#"value="Taitung""#))
            let value38 = try await Library.query(on: app.db).count()
            XCTAssertEqual(value38, 6, "nothing written")

            let added = try await consortium.post("/staff/libraries",
                                                  form: ["code": "ttpl", "nameZH": "臺東縣立圖書館", "nameEN": "Taitung County Library", "cardPrefix": "1009"])
            XCTAssertEqual(added.status, .seeOther)
            XCTAssertEqual(added.headers.first(name: .location), "/staff/libraries?added=TTPL")
            let library = try await Library.query(on: app.db).filter(\.$code == "TTPL").with(\.$desks).first()
            XCTAssertEqual(library?.cardPrefix, "1009")
            XCTAssertEqual(library?.position, 6)
            XCTAssertEqual(library?.desks.map(\.code), ["MAIN"])
            let audit = try await audits(app, "library.added")
            XCTAssertEqual(audit.count, 1)
            XCTAssertEqual(audit.first?.libraryID, library?.id)
            XCTAssertEqual(audit.first?.detail("cardPrefix"), "1009")
            let listed = try await directory(app)
            XCTAssertEqual(listed.last?.code, "TTPL", "in the directory at once, last")
            XCTAssertEqual(listed.last?.name.zhTW, "臺東縣立圖書館")
            XCTAssertEqual(listed.last?.desks.map(\.name.zhTW), ["總館"])
            let value39 = try await TestBrowser(app).get("/").text.contains("臺東縣立圖書館")
            XCTAssertTrue(value39, "and on the home page")
            let value40 = try await consortium.get("/staff/libraries?added=TTPL&lang=zh-TW").text.contains("已新增成員館 TTPL。")
            XCTAssertTrue(value40)
            // Its administrator runs it from the start.
            let admin = try await signedInStaff(app, role: "admin", library: "TTPL", email: "admin@ttpl.example")
            let value41 = try await admin.get("/staff/library").status
            XCTAssertEqual(value41, .ok)
        }
    }

    // MARK: The outbox migration

    func testTheMigrationFillsInTheLibrariesOfPartnerEventsQueuedBeforeIt() async throws {
        try await withTestApp { app in
            let (tpml, ntpl) = (try await libraryID(app, "TPML"), try await libraryID(app, "NTPL"))
            let patron = try await activateCard(app, try await submitApplication(app))
            try await AddLibraryAdministration().revert(on: app.db)
            try await AddLibrariesToOutboxMessages().revert(on: app.db)
            // As the code before the migration queued it: the libraries only inside the payload.
            let queued = PartnerEvents.Queued(eventID: UUID(), type: .linkCreated, occurredAt: app.clock.now(), partnerLibraryID: ntpl,
                                              patronID: try patron.requireID(), homeLibraryID: tpml, cardNumber: patron.cardNumber)
            let sql = app.db as! any SQLDatabase
            try await sql.insert(into: OutboxMessage.schema)
                .columns("kind", "payload", "status", "attempts", "available_at", "created_at", "emptied_once_sent")
                .values(SQLBind(OutboxMessage.Kind.partnerEvent.rawValue),
                        SQLBind(String(decoding: try JSONEncoder.partnerEvents.encode(queued), as: UTF8.self)),
                        SQLBind(OutboxMessage.Status.failed.rawValue), SQLBind(8), SQLBind(app.clock.now()), SQLBind(app.clock.now()), SQLBind(false))
                .run()
            try await AddLibrariesToOutboxMessages().prepare(on: app.db)
            try await AddLibraryAdministration().prepare(on: app.db)
            let message = try await OutboxMessage.query(on: app.db).filter(\.$kind == .partnerEvent).first()
            XCTAssertEqual(message?.partnerLibraryID, ntpl)
            XCTAssertEqual(message?.homeLibraryID, tpml)
            let value42 = try await PartnerDeliveries(database: app.db, now: app.clock.now()).failingQuery(for: ntpl).count()
            XCTAssertEqual(value42, 1)
        }
    }
}

private extension AuditEvent {
    /// One value of the entry's details (stored as a JSON object).
    func detail(_ key: String) -> String? {
        guard let details, let object = try? JSONDecoder().decode([String: String].self, from: Data(details.utf8)) else { return nil }
        return object[key]
    }
}
