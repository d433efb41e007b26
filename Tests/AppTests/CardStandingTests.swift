import Fluent
import Foundation
import OneCardDomain
import SIP2
import XCTVapor
@testable import App

/// A card's standing: a desk suspends (停權), reinstates (復權) and sets the 有效期限; SIP2 clients, the
/// reader's pages and partner systems see it.
final class CardStandingTests: XCTestCase {
    /// The app's real SIP2 server (its configuration, zh-TW screen messages) on a free port, a vendor
    /// account of Taipei logged in over TCP.
    final class SIP2Desk {
        let server: SIP2Server
        let client: SIP2Client
        let institution: String

        init(server: SIP2Server, client: SIP2Client, institution: String) {
            self.server = server
            self.client = client
            self.institution = institution
        }

        static func start(_ app: Application) async throws -> SIP2Desk {
            let account = try await app.sip2Accounts.create(user: "vendor-tpml", libraryCode: "TPML", institution: nil, allowedAddresses: "",
                                                        encoding: "utf8", personalData: false, alternateIDs: false,
                                                        errorDetection: true)
            let server = SIP2Server(configuration: SIP2Lifecycle.configuration(for: app), backend: SIP2Lifecycle.backend(for: app),
                                    eventLoopGroup: app.eventLoopGroup)
            let port = try await server.start(host: "127.0.0.1", port: 0)
            do {
                let client = try await SIP2Client.connect(host: "127.0.0.1", port: port, errorDetection: true)
                let login = try SIP2LoginResponse(try await client.request(SIP2LoginRequest(user: account.user, password: account.password).message))
                XCTAssertTrue(login.ok)
                return SIP2Desk(server: server, client: client, institution: account.institution)
            } catch {
                await server.stop()
                throw error
            }
        }

        func status(_ card: String) async throws -> SIP2PatronStatusResponse {
            let request = SIP2PatronStatusRequest(patronIdentifier: card, patronPassword: nil, institution: institution)
            return try SIP2PatronStatusResponse(try await client.request(request.message))
        }

        func stop() async {
            await client.close()
            await server.stop()
        }
    }

    /// Runs `body` with a SIP2 desk and always stops it.
    func withSIP2(_ app: Application, _ body: (SIP2Desk) async throws -> Void) async throws {
        let sip2 = try await SIP2Desk.start(app)
        do {
            try await body(sip2)
        } catch {
            await sip2.stop()
            throw error
        }
        await sip2.stop()
    }

    // Rows are read in the order they were written: PostgreSQL returns an unsorted query's rows in no set
    // order (SQLite happens to use insertion order), so every list compared in order is sorted here.

    func mails(_ app: Application) async throws -> [MailMessage] {
        try await OutboxMessage.query(on: app.db).filter(\.$kind == .email).sort(\.$id).all()
            .map { try JSONDecoder().decode(MailMessage.self, from: Data($0.payload.utf8)) }
    }

    /// The partner events queued so far, oldest first (the outbox's id is the database's sequence).
    func partnerEvents(_ app: Application) async throws -> [PartnerEventType] {
        try await OutboxMessage.query(on: app.db).filter(\.$kind == .partnerEvent).sort(\.$id).all()
            .map { try JSONDecoder.partnerEvents.decode(PartnerEvents.Queued.self, from: Data($0.payload.utf8)).type }
    }

    /// The audit entries of `action`, oldest first (their ids are random, so by time).
    func audits(_ app: Application, _ action: String) async throws -> [AuditEvent] {
        try await AuditEvent.query(on: app.db).filter(\.$action == action).sort(\.$occurredAt).all()
    }

    func today(_ clock: TestClock) -> CalendarDay {
        CalendarDay(date: clock.now, timeZone: .taipei)
    }

    static let normalStatus = "              "
    static let deniedStatus = "YYYY          "

    func testDeskSuspendsACardAndSIP2FlagsItThenReinstatesIt() async throws {
        try await withTestApp { app in
            let patron = try await activateCard(app, try await submitApplication(app))
            let card = try XCTUnwrap(patron.cardNumber)
            let desk = try await signedInStaff(app)
            let path = "/staff/applications/\(patron.id!.uuidString)"
            try await withSIP2(app) { sip2 in
                let before = try await sip2.status(card)
                XCTAssertEqual(before.patronStatus.fieldValue, Self.normalStatus)
                XCTAssertEqual(before.validPatron, true)

                let page = try await desk.get(path)
                XCTAssertTrue(page.text.contains("借閱證狀態"))
                XCTAssertTrue(page.text.contains("action=\"\(path)/suspend\""))
                let noReason = try await desk.post(path + "/suspend", form: ["reason": "  "])
                XCTAssertEqual(noReason.status, .unprocessableEntity)
                XCTAssertTrue(noReason.text.contains("<p class=\"field-error\" id=\"reason-error\">請填寫停權原因。</p>"))
                let unchanged = try await Patron.find(patron.id, on: app.db)
                XCTAssertNil(unchanged?.suspendedAt, "a refused suspension writes nothing")
                let refusedAudits = try await audits(app, "card.suspended")
                XCTAssertEqual(refusedAudits.count, 0)

                let suspended = try await desk.post(path + "/suspend", form: ["reason": "逾期未還書三個月"])
                XCTAssertEqual(suspended.status, .seeOther)
                let stored = try await XCTUnwrapAsync(await Patron.find(patron.id, on: app.db))
                XCTAssertEqual(stored.status, .active, "a suspended card stays active: it is still found")
                XCTAssertEqual(stored.suspensionReason, "逾期未還書三個月")
                XCTAssertNotNil(stored.suspendedAt)
                let shown = try await desk.get(path + "?standing=suspended")
                XCTAssertTrue(shown.text.contains("已停權，並已通知讀者。"))
                XCTAssertTrue(shown.text.contains("停權中"))
                XCTAssertTrue(shown.text.contains("action=\"\(path)/reinstate\""))

                let flagged = try await sip2.status(card)
                XCTAssertEqual(flagged.patronStatus.fieldValue, Self.deniedStatus, "charge, renewal, recall and hold denied")
                XCTAssertEqual(flagged.validPatron, true, "still a known patron: BL Y")
                XCTAssertEqual(flagged.screenMessages, ["借閱證已停權，請洽服務臺。"])

                let found = try await desk.get("/staff/applications?q=\(card)")
                XCTAssertTrue(found.text.contains(patron.applicationNumber), "the desk finds an active card by its number")
                XCTAssertTrue(found.text.contains("停權中"), "and sees it is suspended")
                let twice = try await desk.post(path + "/suspend", form: ["reason": "again"])
                XCTAssertEqual(twice.status, .conflict)

                let reinstated = try await desk.post(path + "/reinstate", form: [:])
                XCTAssertEqual(reinstated.status, .seeOther)
                let back = try await sip2.status(card)
                XCTAssertEqual(back.patronStatus.fieldValue, Self.normalStatus)
                XCTAssertEqual(back.validPatron, true)
                XCTAssertEqual(back.screenMessages, [])
                let cleared = try await Patron.find(patron.id, on: app.db)
                XCTAssertNil(cleared?.suspendedAt)
                XCTAssertNil(cleared?.suspensionReason)
                let again = try await desk.post(path + "/reinstate", form: [:])
                XCTAssertEqual(again.status, .conflict)
            }

            let suspendAudit = try await audits(app, "card.suspended")
            XCTAssertEqual(suspendAudit.count, 1)
            XCTAssertEqual(suspendAudit.first?.subjectID, patron.id!.uuidString)
            XCTAssertEqual(suspendAudit.first?.actorType, "staff")
            let reinstateAudit = try await audits(app, "card.reinstated")
            XCTAssertEqual(reinstateAudit.count, 1)
            let auditText = try await AuditEvent.query(on: app.db).all().compactMap(\.details).joined()
            XCTAssertFalse(auditText.contains("逾期未還書"), "the reason may name the person: not in the audit trail")

            let sent = try await mails(app)
            let suspension = try XCTUnwrap(sent.first { $0.subject == "借閱證已停權" })
            XCTAssertEqual(suspension.to, "wang@example.org")
            XCTAssertTrue(suspension.body.contains("逾期未還書三個月"))
            XCTAssertTrue(suspension.body.contains(patron.cardNumber!))
            XCTAssertTrue(sent.contains { $0.subject == "借閱證已復權" && $0.to == "wang@example.org" })
        }
    }

    func testACardPastItsValidUntilIsExpiredForSIP2TheReaderAndPartnersUntilTheDeskExtendsIt() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let pending = try await submitApplication(app, links: ["NTPL"])
            var desk = try await signedInStaff(app)
            let path = "/staff/applications/\(pending.id!.uuidString)"
            let form = try await desk.get(path)
            XCTAssertTrue(form.text.contains("name=\"validUntil\" type=\"text\""), "a text field, so 民國 dates can be typed")
            let lastDay = today(clock)
            let activated = try await desk.post(path + "/activate", form: ["documentChecked": "yes", "validUntil": lastDay.iso])
            XCTAssertEqual(activated.status, .seeOther)
            let patron = try await XCTUnwrapAsync(await Patron.find(pending.id, on: app.db))
            XCTAssertEqual(patron.cardValidUntil, lastDay.iso)
            let card = try XCTUnwrap(patron.cardNumber)
            let partner = try await APIClients.create(name: "NTPL ILS", libraryCode: "NTPL", scopes: [.partnerLookup], database: app.db, now: app.clock.now())
            func partnerView() async throws -> PartnerPatronDTO {
                var headers = HTTPHeaders()
                headers.bearerAuthorization = .init(token: partner)
                let response = try await app.testable().sendRequest(.GET, "/api/v1/partners/NTPL/patrons/\(card)", headers: headers)
                XCTAssertEqual(response.status, .ok)
                return try response.content.decode(PartnerPatronDTO.self)
            }
            func signedInReader() async throws -> TestBrowser {
                let reader = TestBrowser(app)
                try await reader.get("/login")
                try await reader.post("/login", form: ["identifier": card, "password": "river lantern mango"])
                return reader
            }
            var reader = try await signedInReader()

            var extendedTo = lastDay
            try await withSIP2(app) { sip2 in
                let lastValidDay = try await sip2.status(card)
                XCTAssertEqual(lastValidDay.patronStatus.fieldValue, Self.normalStatus, "valid through the whole last day")
                let good = try await partnerView()
                XCTAssertEqual(good.standing, "good")
                XCTAssertEqual(good.validUntil, lastDay.iso)
                XCTAssertTrue(good.valid)

                clock.advance(by: 86_400)
                // A day on, yesterday's sessions have ended: both sign in again.
                reader = try await signedInReader()
                desk = try await signedInStaff(app, email: "desk-next-day@tpml.example")
                let expired = try await sip2.status(card)
                XCTAssertEqual(expired.patronStatus.fieldValue, Self.deniedStatus)
                XCTAssertEqual(expired.validPatron, true, "expired, not unknown: BL Y")
                XCTAssertEqual(expired.screenMessages, ["借閱證已逾期，請洽服務臺。"])

                let home = try await reader.get("/account/home")
                XCTAssertEqual(home.status, .ok)
                XCTAssertTrue(home.text.contains("您的借閱證已於 民國\(lastDay.year - 1911)年\(lastDay.month)月\(lastDay.day)日 到期"))
                XCTAssertTrue(home.text.contains("至任一服務臺辦理延長效期"))
                let mobile = try await reader.get("/account/card")
                XCTAssertTrue(mobile.text.contains("您的借閱證已於 民國\(lastDay.year - 1911)年\(lastDay.month)月\(lastDay.day)日 到期"))
                let seen = try await partnerView()
                XCTAssertEqual(seen.status, "active")
                XCTAssertEqual(seen.standing, "expired")
                XCTAssertFalse(seen.valid)
                XCTAssertFalse(seen.mayBorrow)
                let deskView = try await desk.get(path)
                XCTAssertTrue(deskView.text.contains("<dd class=\"standing\">已逾期</dd>"))

                // A day before the new today is refused beside the field; then the desk extends the card.
                let yesterday = try await desk.post(path + "/valid-until", form: ["validUntil": lastDay.iso])
                XCTAssertEqual(yesterday.status, .unprocessableEntity)
                XCTAssertTrue(yesterday.text.contains("<p class=\"field-error\" id=\"newValidUntil-error\">有效期限不可早於今天。</p>"))
                extendedTo = today(clock).adding(days: 365)
                let extended = try await desk.post(path + "/valid-until", form: ["validUntil": extendedTo.iso])
                XCTAssertEqual(extended.status, .seeOther)
                let renewed = try await sip2.status(card)
                XCTAssertEqual(renewed.patronStatus.fieldValue, Self.normalStatus)
                XCTAssertEqual(renewed.screenMessages, [])
                let homeAfter = try await reader.get("/account/home")
                XCTAssertFalse(homeAfter.text.contains("到期"))
                XCTAssertTrue(homeAfter.text.contains(extendedTo.iso))
                // A minute on, so the two changes' audit entries have an order of their own.
                clock.advance(by: 60)
                let cleared = try await desk.post(path + "/valid-until", form: ["validUntil": ""])
                XCTAssertEqual(cleared.status, .seeOther)
                let noEnd = try await Patron.find(patron.id, on: app.db)
                XCTAssertNil(noEnd?.cardValidUntil)
            }

            let changes = try await audits(app, "card.valid_until_changed")
            XCTAssertEqual(changes.map(\.details), [#"{"from":"\#(lastDay.iso)","to":"\#(extendedTo.iso)"}"#, #"{"from":"\#(extendedTo.iso)","to":"none"}"#])
            let sent = try await mails(app).filter { $0.subject == "借閱證有效期限已變更" }
            XCTAssertEqual(sent.count, 2)
            XCTAssertTrue(sent.contains { $0.body.contains("無期限") })
            let events = try await partnerEvents(app)
            XCTAssertEqual(events, [.linkCreated, .patronUpdated, .patronUpdated], "the linked partner hears of each new valid-until")
        }
    }

    func testAValidUntilInThePastIsRefusedAtActivationBesideTheField() async throws {
        try await withTestApp { app in
            let clock = app.clock
            let patron = try await submitApplication(app)
            let desk = try await signedInStaff(app)
            let path = "/staff/applications/\(patron.id!.uuidString)"
            try await desk.get(path)
            let yesterday = CalendarDay(date: clock.now(), timeZone: .taipei).adding(days: -1)
            let past = try await desk.post(path + "/activate", form: ["documentChecked": "yes", "validUntil": yesterday.iso])
            XCTAssertEqual(past.status, .unprocessableEntity)
            XCTAssertTrue(past.text.contains("<p class=\"field-error\" id=\"validUntil-error\">有效期限不可早於今天。</p>"))
            XCTAssertTrue(past.text.contains("aria-invalid=\"true\" aria-describedby=\"validUntil-hint validUntil-error\""))
            XCTAssertTrue(past.text.contains("value=\"\(yesterday.iso)\""), "what was typed is shown again")
            let impossible = try await desk.post(path + "/activate", form: ["documentChecked": "yes", "validUntil": "2030-02-30"])
            XCTAssertTrue(impossible.text.contains("沒有這一天，請檢查有效期限的年、月、日。"))
            desk.acceptLanguage = "en"
            try await desk.get(path + "?lang=en")
            let english = try await desk.post(path + "/activate", form: ["documentChecked": "yes", "validUntil": yesterday.iso])
            XCTAssertTrue(english.text.contains("Valid until cannot be before today."))
            let still = try await XCTUnwrapAsync(await Patron.find(patron.id, on: app.db))
            XCTAssertEqual(still.status, .pending, "nothing half-written")
            XCTAssertNil(still.cardNumber)
            XCTAssertNil(still.cardValidUntil)
            let activations = try await audits(app, "card.activated")
            XCTAssertEqual(activations.count, 0)
        }
    }

    func testOnlyDeskAndAdminStaffWhoSeeThePatronMayChangeItsStanding() async throws {
        try await withTestApp { app in
            let patron = try await activateCard(app, try await submitApplication(app))
            let path = "/staff/applications/\(patron.id!.uuidString)"
            let reviewer = try await signedInStaff(app, role: "reviewer", email: "reviewer@tpml.example")
            try await reviewer.get("/staff")
            let byReviewer = try await reviewer.post(path + "/suspend", form: ["reason": "test"])
            XCTAssertEqual(byReviewer.status, .forbidden)
            let otherLibrary = try await signedInStaff(app, library: "KLPL", email: "desk@klpl.example")
            try await otherLibrary.get("/staff")
            let byKeelung = try await otherLibrary.post(path + "/suspend", form: ["reason": "test"])
            XCTAssertEqual(byKeelung.status, .notFound, "not even a hint that the card exists")
            let desk = try await signedInStaff(app)
            let deskPage = try await desk.get(path)
            XCTAssertEqual(deskPage.status, .ok)
            let forged = try await desk.post(path + "/suspend", form: ["reason": "test"], includeCSRF: false)
            XCTAssertEqual(forged.status, .forbidden, "CSRF-protected")
            let unchanged = try await Patron.find(patron.id, on: app.db)
            XCTAssertNil(unchanged?.suspendedAt)
            let none = try await audits(app, "card.suspended")
            XCTAssertEqual(none.count, 0)

            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            try await admin.get(path)
            let byAdmin = try await admin.post(path + "/suspend", form: ["reason": "遺失待確認"])
            XCTAssertEqual(byAdmin.status, .seeOther)
            let one = try await audits(app, "card.suspended")
            XCTAssertEqual(one.count, 1)

            // Issue #12 item 12: a partner library's desk sees a card linked with it but may not change it
            // (this used to succeed); the home library's desk does, and its trail records it.
            let linked = try await activateCard(app, try await submitApplication(app, idNumber: "F234567898", links: ["NTPL"]))
            let newTaipei = try await signedInStaff(app, library: "NTPL", email: "desk@ntpl.example")
            let partnerPage = try await newTaipei.get("/staff/applications/\(linked.id!.uuidString)")
            XCTAssertEqual(partnerPage.status, .ok, "seeing is right")
            try await newTaipei.get("/staff") // the card's page has no form for it, so the session's CSRF token comes from here
            let byPartner = try await newTaipei.post("/staff/applications/\(linked.id!.uuidString)/suspend", form: ["reason": "跨館逾期"])
            XCTAssertEqual(byPartner.status, .forbidden)
            XCTAssertTrue(byPartner.text.contains("只有所屬圖書館的館員可以辦理這項作業"), "refused as another library's card, not by CSRF")
            let notByPartner = try await AuditEvent.query(on: app.db).filter(\.$action == "card.suspended")
                .filter(\.$subjectID == linked.id!.uuidString).count()
            XCTAssertEqual(notByPartner, 0)
            try await desk.get(path)
            let byHome = try await desk.post("/staff/applications/\(linked.id!.uuidString)/suspend", form: ["reason": "跨館逾期"])
            XCTAssertEqual(byHome.status, .seeOther)
            let partnerAudit = try await AuditEvent.query(on: app.db).filter(\.$action == "card.suspended")
                .filter(\.$subjectID == linked.id!.uuidString).first()
            let taipei = try await Library.require(code: "TPML", on: app.db)
            XCTAssertEqual(partnerAudit?.libraryID, taipei.id)

            let pending = try await submitApplication(app, idNumber: "A223456781")
            try await desk.get(path)
            let notActive = try await desk.post("/staff/applications/\(pending.id!.uuidString)/suspend", form: ["reason": "x"])
            XCTAssertEqual(notActive.status, .conflict, "a pending application has no card to suspend")
        }
    }

    func testASuspendedReaderSeesWhatToDoAndPartnersAreTold() async throws {
        try await withTestApp { app in
            let patron = try await activateCard(app, try await submitApplication(app, links: ["NTPL"]))
            let reader = TestBrowser(app)
            try await reader.get("/login")
            try await reader.post("/login", form: ["identifier": patron.cardNumber!, "password": "river lantern mango"])
            let normal = try await reader.get("/account/home")
            XCTAssertFalse(normal.text.contains("standing-notice"))

            let desk = try await signedInStaff(app)
            let path = "/staff/applications/\(patron.id!.uuidString)"
            try await desk.get(path)
            try await desk.post(path + "/suspend", form: ["reason": "逾期未還書"])

            let home = try await reader.get("/account/home")
            XCTAssertEqual(home.status, .ok, "a suspended reader can still sign in and read their pages")
            XCTAssertTrue(home.text.contains("停權，暫時不能借閱、續借或預約。原因：逾期未還書。請攜帶身分證明文件洽任一服務臺辦理復權。"))
            let card = try await reader.get("/account/card")
            XCTAssertTrue(card.text.contains("standing-notice"))
            XCTAssertTrue(card.text.contains("洽任一服務臺辦理復權"))
            let export = try await reader.get("/account/my-data.json")
            XCTAssertTrue(export.text.contains(#""suspensionReason" : "逾期未還書""#), "what is held about the reader includes the suspension")
            reader.acceptLanguage = "en"
            let english = try await reader.get("/account/home?lang=en")
            XCTAssertTrue(english.text.contains("Reason: 逾期未還書. Please bring your ID to any library desk to have it reinstated."))

            var headers = HTTPHeaders()
            headers.bearerAuthorization = .init(token: try await APIClients.create(name: "NTPL ILS", libraryCode: "NTPL", scopes: [.partnerLookup], database: app.db, now: app.clock.now()))
            let api = try await app.testable().sendRequest(.GET, "/api/v1/partners/NTPL/patrons/\(patron.cardNumber!)", headers: headers)
            let dto = try api.content.decode(PartnerPatronDTO.self)
            XCTAssertEqual(dto.standing, "suspended")
            XCTAssertFalse(dto.valid)
            XCTAssertFalse(dto.mayBorrow)
            XCTAssertFalse(api.body.string.contains("逾期未還書"), "partners learn the standing, not the reason")

            try await desk.post(path + "/reinstate", form: [:])
            let events = try await partnerEvents(app)
            XCTAssertEqual(events, [.linkCreated, .patronSuspended, .patronReinstated])

            // Erasure forgets the reason, which may name the person.
            let stored = try await XCTUnwrapAsync(await Patron.find(patron.id, on: app.db))
            stored.suspensionReason = "逾期未還書"
            stored.erasePersonalData()
            XCTAssertNil(stored.suspensionReason)
        }
    }
}
