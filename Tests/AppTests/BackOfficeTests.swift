import Fluent
import Foundation
import OneCardDomain
import SIP2
import XCTVapor
@testable import App

/// Issue #14 items 1, 2, 3 and 7: the staff side's own layout, the work dashboard, patron search and the
/// patron record inside the opt-in boundary, and the reader's 個人資料查閱紀錄.
final class BackOfficeTests: XCTestCase {
    func audits(_ app: Application, _ action: String, subject: UUID? = nil) async throws -> Int {
        var query = AuditEvent.query(on: app.db).filter(\.$action == action)
        if let subject { query = query.filter(\.$subjectID == subject.uuidString) }
        return try await query.count()
    }

    /// The part of a page from `marker` to the end of its list item (one dashboard queue).
    func section(_ html: String, from marker: String) -> String {
        guard let start = html.range(of: marker) else { return "" }
        let rest = html[start.lowerBound...]
        return String(rest[..<(rest.range(of: "</li>")?.upperBound ?? rest.endIndex)])
    }

    static let readerLinks = [#"href="/apply""#, #"href="/digital-card""#, #"href="/group-application""#, #"href="/login""#]

    // MARK: Item 1: the staff layout

    func testStaffPagesCarryTheStaffNavigationByRoleAndNeverTheReaders() async throws {
        try await withTestApp { app in
            let desk = try await signedInStaff(app)
            let home = try await desk.get("/staff")
            XCTAssertEqual(home.status, .ok)
            XCTAssertTrue(home.text.contains(#"class="staff-nav""#))
            for link in ["/staff/patrons", "/staff/applications", "/staff/requests"] {
                XCTAssertTrue(home.text.contains(#"href="\#(link)""#), "a desk clerk is offered \(link)")
            }
            for link in ["/staff/audit", "/staff/group", "/staff/digital-cards", "/staff/deliveries", "/staff/calendar"] {
                XCTAssertFalse(home.text.contains(#"href="\#(link)""#), "a desk clerk is not offered \(link)")
            }
            let account = section(home.text, from: #"class="staff-account""#)
            XCTAssertTrue(home.text.contains(#"<span class="staff-email">desk@tpml.example</span>"#))
            XCTAssertTrue(home.text.contains(#"<span class="staff-library">臺北市立圖書館</span>"#))
            XCTAssertTrue(home.text.contains(#"<span class="staff-role">櫃臺</span>"#))
            XCTAssertTrue(home.text.contains(#"action="/staff/logout""#), account)
            for link in Self.readerLinks {
                XCTAssertFalse(home.text.contains(link), "no reader's link \(link) on the staff side")
            }
            // Every staff page has it, a refused one too, and none has the readers' links.
            for path in ["/staff/applications", "/staff/patrons", "/staff/requests", "/staff/audit"] {
                let page = try await desk.get(path)
                XCTAssertTrue(page.text.contains(#"class="staff-nav""#), path)
                for link in Self.readerLinks { XCTAssertFalse(page.text.contains(link), "\(path): \(link)") }
            }
            let refused = try await desk.get("/staff/audit")
            XCTAssertEqual(refused.status, .forbidden)

            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let adminHome = try await admin.get("/staff")
            for link in ["/staff/patrons", "/staff/applications", "/staff/requests", "/staff/audit", "/staff/deliveries", "/staff/calendar", "/staff/group"] {
                XCTAssertTrue(adminHome.text.contains(#"href="\#(link)""#), "an administrator is offered \(link)")
            }
            XCTAssertFalse(adminHome.text.contains(#"href="/staff/digital-cards""#), "only 國資圖 reviews digital cards")

            let reviewer = try await signedInStaff(app, role: "reviewer", library: "NLPI", email: "reviewer@nlpi.example")
            let reviewerHome = try await reviewer.get("/staff")
            XCTAssertTrue(reviewerHome.text.contains(#"href="/staff/digital-cards""#))
            XCTAssertTrue(reviewerHome.text.contains(#"href="/staff/group""#))
            XCTAssertFalse(reviewerHome.text.contains(#"href="/staff/patrons""#))
            XCTAssertFalse(reviewerHome.text.contains(#"href="/staff/applications""#))

            let english = try await desk.get("/staff?lang=en")
            XCTAssertTrue(english.text.contains("OneCard staff"))
            XCTAssertTrue(english.text.contains(">Find a patron</a>"))
            XCTAssertTrue(english.text.contains(#"<span class="staff-library">Taipei Public Library</span>"#))
            XCTAssertTrue(english.text.contains(#"<span class="staff-role">Desk</span>"#) || english.text.contains(#"class="staff-role">"#))

            // Signed out, the staff sign-in page has neither the staff rooms nor the readers' links.
            let signIn = try await TestBrowser(app).get("/staff/login")
            XCTAssertFalse(signIn.text.contains(#"class="staff-nav""#))
            for link in Self.readerLinks { XCTAssertFalse(signIn.text.contains(link), link) }
        }
    }

    // MARK: Item 2: the work dashboard

    func testTheDashboardCountsEachQueueWithItsOverdueAndOldestDueDate() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            // 2026-11-18 (Taipei): the first application; the second 20 days later; the dashboard 31 days on.
            _ = try await submitApplication(app, idNumber: nationalID(1))
            clock.advance(by: 20 * 86400)
            _ = try await submitApplication(app, idNumber: nationalID(2))
            let ntpl = try await submitApplication(app, idNumber: nationalID(3, letter: "F"))
            ntpl.$library.id = try await Library.require(code: "NTPL", on: app.db).requireID()
            try await ntpl.save(on: app.db)
            clock.advance(by: 11 * 86400)
            let reader = try await activateCard(app, try await submitApplication(app, idNumber: nationalID(4)))
            try await PatronRequest(patronID: reader.requireID(), kind: .nameChange, requestedName: "王大明", note: nil, now: clock.now)
                .create(on: app.db)

            let desk = try await signedInStaff(app)
            let home = try await desk.get("/staff")
            let applications = section(home.text, from: #"<h3><a href="/staff/applications">"#)
            XCTAssertTrue(applications.contains(#"class="queue-count">2<"#), "Taipei's two pending applications, not New Taipei's: \(applications)")
            XCTAssertTrue(applications.contains(#"<span class="overdue-mark">1</span>"#), applications)
            XCTAssertTrue(applications.contains(#"datetime="2026-12-18""#), "the first expires 30 days after 2026-11-18: \(applications)")
            let requests = section(home.text, from: #"<h3><a href="/staff/requests">"#)
            XCTAssertTrue(requests.contains(#"class="queue-count">1<"#), requests)
            XCTAssertTrue(requests.contains(#"class="queue-overdue">0<"#), requests)
            XCTAssertTrue(requests.contains(#"datetime="2027-01-18""#), "30 days after 2026-12-19: \(requests)")
            XCTAssertFalse(home.text.contains("數位借閱證審核"), "a desk clerk works no reviewer's queue")
            XCTAssertFalse(home.text.contains("集體辦證批次"))

            // 國資圖's reviewer: the digital cards, by their stored working-day due dates.
            for (n, dueOn) in ["2026-12-01", "2026-12-17", "2026-12-19", "2027-01-05"].enumerated() {
                let applicant = try await submitApplication(app, idNumber: nationalID(20 + n))
                applicant.cardKind = .digital
                try await applicant.save(on: app.db)
                let application = DigitalCardApplication()
                application.$patron.id = try applicant.requireID()
                application.method = .documents
                application.status = .submitted
                application.documentSet = "id_card"
                application.submittedAt = clock.now
                application.dueOn = dueOn
                try await application.create(on: app.db)
            }
            let reviewer = try await signedInStaff(app, role: "reviewer", library: "NLPI", email: "reviewer@nlpi.example")
            let reviewerHome = try await reviewer.get("/staff")
            let digital = section(reviewerHome.text, from: #"<h3><a href="/staff/digital-cards">"#)
            XCTAssertTrue(digital.contains(#"class="queue-count">4<"#), digital)
            XCTAssertTrue(digital.contains(#"<span class="overdue-mark">2</span>"#), "today is 2026-12-19, and one due today is not overdue yet: \(digital)")
            XCTAssertTrue(digital.contains(#"datetime="2026-12-01""#), digital)
            XCTAssertTrue(reviewerHome.text.contains("集體辦證申請"))
            XCTAssertTrue(reviewerHome.text.contains("集體辦證批次"))
            XCTAssertFalse(reviewerHome.text.contains("待臨櫃辦理的網路申請"))
        }
    }

    // MARK: Item 3: patron search and the patron record

    /// 王小明 of Taipei with an EasyCard; 陳美玲 of Taipei with a mobile and her own email; 王小明 (F…) of Taipei
    /// who linked New Taipei.
    func threePatrons(_ app: Application) async throws -> (wang: Patron, chen: Patron, linked: Patron) {
        let wang = try await activateCard(app, try await submitApplication(app), easyCard: "1234567890123456")
        let chen = try await activateCard(app, try await submitApplication(app, idNumber: nationalID(7)))
        chen.name = "陳美玲"
        chen.email = "chen@example.org"
        chen.mobile = "0912345678"
        try await chen.save(on: app.db)
        let linked = try await activateCard(app, try await submitApplication(app, idNumber: "F234567898", links: ["NTPL"]))
        return (wang, chen, linked)
    }

    func testADeskFindsPatronsByEveryIdentifierAndEachSearchIsAudited() async throws {
        try await withTestApp { app in
            let (wang, chen, linked) = try await threePatrons(app)
            let desk = try await signedInStaff(app)
            func found(_ query: String) async throws -> Set<UUID> {
                let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                let page = try await desk.get("/staff/patrons?q=\(encoded)")
                XCTAssertEqual(page.status, .ok)
                return Set([wang, chen, linked].filter { page.text.contains("/staff/patrons/\($0.id!.uuidString)") }.map { $0.id! })
            }
            let byCard = try await found(chen.cardNumber!)
            XCTAssertEqual(byCard, [chen.id!])
            let byID = try await found("a123456789")
            XCTAssertEqual(byID, [wang.id!], "the ID number, through its blind index")
            let byEasyCard = try await found("1234 5678 9012 3456")
            XCTAssertEqual(byEasyCard, [wang.id!])
            let byName = try await found("美玲")
            XCTAssertEqual(byName, [chen.id!])
            let byPhone = try await found("0912-345-678")
            XCTAssertEqual(byPhone, [chen.id!])
            let byEmail = try await found("CHEN@example.org")
            XCTAssertEqual(byEmail, [chen.id!])
            let bothWangs = try await found("王小明")
            XCTAssertEqual(bothWangs, [wang.id!, linked.id!])
            let oneCharacter = try await found("王")
            XCTAssertEqual(oneCharacter, [], "one character of a name lists nobody")
            let searches = try await audits(app, "patron.searched")
            XCTAssertEqual(searches, 8)
            let logged = try await AuditEvent.query(on: app.db).filter(\.$action == "patron.searched").all()
            XCTAssertFalse(logged.contains { ($0.details ?? "").contains("A123456789") || ($0.details ?? "").contains("美玲") },
                           "what was typed is never in the audit trail")

            let english = try await desk.get("/staff/patrons?q=\(wang.cardNumber!)&lang=en")
            XCTAssertTrue(english.text.contains("1 found."))
        }
    }

    func testSearchAndRecordStopAtTheOptInBoundary() async throws {
        try await withTestApp { app in
            let (wang, _, linked) = try await threePatrons(app)
            let newTaipei = try await signedInStaff(app, library: "NTPL", email: "desk@ntpl.example")
            let search = try await newTaipei.get("/staff/patrons?q=%E7%8E%8B%E5%B0%8F%E6%98%8E") // 王小明
            XCTAssertTrue(search.text.contains("/staff/patrons/\(linked.id!.uuidString)"), "the reader who linked New Taipei")
            XCTAssertFalse(search.text.contains("/staff/patrons/\(wang.id!.uuidString)"), "not Taipei's other 王小明")
            XCTAssertTrue(search.text.contains("共 1 筆"))
            let byCard = try await newTaipei.get("/staff/patrons?q=\(wang.cardNumber!)")
            XCTAssertTrue(byCard.text.contains("共 0 筆"))

            let notTheirs = try await newTaipei.get("/staff/patrons/\(wang.id!.uuidString)")
            XCTAssertEqual(notTheirs.status, .notFound)
            let theirs = try await newTaipei.get("/staff/patrons/\(linked.id!.uuidString)")
            XCTAssertEqual(theirs.status, .ok)
            XCTAssertTrue(theirs.text.contains(linked.cardNumber!))
            let views = try await audits(app, "patron.record_viewed", subject: linked.id!)
            XCTAssertEqual(views, 1)
            let refusedViews = try await audits(app, "patron.record_viewed", subject: wang.id!)
            XCTAssertEqual(refusedViews, 0)

            // Once the reader withdraws the link, New Taipei finds and opens nothing of them.
            try await PartnerLink.query(on: app.db).filter(\.$patron.$id == linked.requireID()).set(\.$status, to: .withdrawn).update()
            let after = try await newTaipei.get("/staff/patrons?q=%E7%8E%8B%E5%B0%8F%E6%98%8E")
            XCTAssertTrue(after.text.contains("共 0 筆"))
            let closed = try await newTaipei.get("/staff/patrons/\(linked.id!.uuidString)")
            XCTAssertEqual(closed.status, .notFound)
            try await newTaipei.get("/staff")
            let reveal = try await newTaipei.post("/staff/patrons/\(linked.id!.uuidString)/id-number", form: [:])
            XCTAssertEqual(reveal.status, .notFound)
            XCTAssertFalse(reveal.text.contains("F234567898"))
        }
    }

    func testOnlyTheDeskAndAdministratorsSearchPatrons() async throws {
        try await withTestApp { app in
            let (wang, _, _) = try await threePatrons(app)
            let reviewer = try await signedInStaff(app, role: "reviewer", email: "reviewer@tpml.example")
            let search = try await reviewer.get("/staff/patrons?q=\(wang.cardNumber!)")
            XCTAssertEqual(search.status, .forbidden)
            XCTAssertFalse(search.text.contains("/staff/patrons/\(wang.id!.uuidString)"))
            let record = try await reviewer.get("/staff/patrons/\(wang.id!.uuidString)")
            XCTAssertEqual(record.status, .forbidden)
            try await reviewer.get("/staff")
            let reveal = try await reviewer.post("/staff/patrons/\(wang.id!.uuidString)/id-number", form: [:])
            XCTAssertEqual(reveal.status, .forbidden)
            let anonymous = try await TestBrowser(app).get("/staff/patrons/\(wang.id!.uuidString)")
            XCTAssertEqual(anonymous.status, .unauthorized)
            let looks = try await audits(app, "patron.record_viewed") + audits(app, "patron.searched") + audits(app, "patron.id_number_revealed")
            XCTAssertEqual(looks, 0)

            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let allowed = try await admin.get("/staff/patrons/\(wang.id!.uuidString)")
            XCTAssertEqual(allowed.status, .ok)
        }
    }

    func testTheRecordShowsCardLinksConsentsRequestsAndHistoryAndTheFullIDOnlyBehindAnAuditedReveal() async throws {
        try await withTestApp { app in
            let (_, _, linked) = try await threePatrons(app)
            linked.cardValidUntil = "2030-12-31"
            try await linked.save(on: app.db)
            try await PatronRequest(patronID: linked.requireID(), kind: .nameChange, requestedName: "王大明", note: nil, now: app.clock.now())
                .create(on: app.db)
            let desk = try await signedInStaff(app)
            let path = "/staff/patrons/\(linked.id!.uuidString)"
            let record = try await desk.get(path)
            XCTAssertEqual(record.status, .ok)
            XCTAssertTrue(record.text.contains(linked.cardNumber!))
            XCTAssertTrue(record.text.contains("正常"), "the standing")
            XCTAssertTrue(record.text.contains(#"<time datetime="2030-12-31">"#), "有效期限")
            XCTAssertTrue(record.text.contains("啟用新北市公共圖書館一證通用服務 · 已結合"), "the link and its status")
            let consent = try await ConsentRecord.query(on: app.db).filter(\.$patron.$id == linked.requireID()).with(\.$document).first()
            XCTAssertTrue(record.text.contains(consent!.document.titleZH), "the consent's document")
            XCTAssertTrue(record.text.contains("<span>版本</span> \(consent!.document.version) · "), "its version")
            XCTAssertTrue(record.text.contains(#"<span class="consent-channel">網站</span>"#), "its channel")
            XCTAssertTrue(record.text.contains("更改姓名 · 待處理"), "the reader's request")
            XCTAssertTrue(record.text.contains("臨櫃開通"), "the record's history, in words")
            XCTAssertTrue(record.text.contains("F23****898"), "the masked ID number")
            XCTAssertFalse(record.text.contains("F234567898"), "never the whole number on opening")
            XCTAssertTrue(record.text.contains(#"action="\#(path)/id-number""#))
            let views = try await audits(app, "patron.record_viewed", subject: linked.id!)
            XCTAssertEqual(views, 1)
            let noReveal = try await audits(app, "patron.id_number_revealed")
            XCTAssertEqual(noReveal, 0)

            let revealed = try await desk.post(path + "/id-number", form: [:])
            XCTAssertEqual(revealed.status, .ok)
            XCTAssertTrue(revealed.text.contains("F234567898"))
            let reveals = try await AuditEvent.query(on: app.db).filter(\.$action == "patron.id_number_revealed").all()
            XCTAssertEqual(reveals.count, 1)
            XCTAssertEqual(reveals.first?.subjectID, linked.id!.uuidString)
            XCTAssertEqual(reveals.first?.actorType, "staff")
            let withoutToken = try await desk.post(path + "/id-number", form: [:], includeCSRF: false)
            XCTAssertEqual(withoutToken.status, .forbidden, "a reveal is a form with its CSRF token")

            let english = try await desk.get(path + "?lang=en")
            XCTAssertTrue(english.text.contains("Patron record"))
            XCTAssertTrue(english.text.contains("Show the full number"))
        }
    }

    func testSearchResultsArePaged() async throws {
        try await withTestApp { app in
            for n in 1...23 {
                let patron = try await submitApplication(app, idNumber: nationalID(100 + n))
                patron.name = "林家" + String(format: "%02d", n)
                try await patron.save(on: app.db)
            }
            let desk = try await signedInStaff(app)
            let query = "林家".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let first = try await desk.get("/staff/patrons?q=\(query)")
            XCTAssertTrue(first.text.contains("共 23 筆"))
            XCTAssertEqual(first.text.components(separatedBy: #"<th scope="row">"#).count - 1, 20)
            XCTAssertTrue(first.text.contains("林家01") && first.text.contains("林家20") && !first.text.contains("林家21"), "by name")
            XCTAssertTrue(first.text.contains(#"href="/staff/patrons?q=%E6%9E%97%E5%AE%B6&amp;page=2""#))
            let second = try await desk.get("/staff/patrons?q=\(query)&page=2")
            XCTAssertEqual(second.text.components(separatedBy: #"<th scope="row">"#).count - 1, 3)
            XCTAssertTrue(second.text.contains("林家23"))
            XCTAssertTrue(second.text.contains(#"<span aria-current="page">2</span>"#))
        }
    }

    // MARK: Item 7: the reader's 個人資料查閱紀錄

    func testAReaderSeesWhichLibraryLookedAtTheirDataWhenAndWhyNeverWhichStaffMember() async throws {
        try await withTestApp(adjust: { $0.signInDelayUnit = 0.001 }) { app in
            // Taipei's desk activates the card (one look); the reader linked New Taipei.
            let reader = try await activateCard(app, try await submitApplication(app, links: ["NTPL"]))
            let other = try await activateCard(app, try await submitApplication(app, idNumber: nationalID(9)))

            // New Taipei's clerk opens the record; New Taipei's system asks about the card.
            let newTaipei = try await signedInStaff(app, library: "NTPL", email: "clerk.chen@ntpl.example")
            let record = try await newTaipei.get("/staff/patrons/\(reader.id!.uuidString)")
            XCTAssertEqual(record.status, .ok)
            let token = try await APIClients.create(name: "NTPL ILS", libraryCode: "NTPL", scopes: [.partnerLookup], database: app.db, now: app.clock.now())
            var headers = HTTPHeaders()
            headers.bearerAuthorization = .init(token: token)
            let lookup = try await app.testable().sendRequest(.GET, "/api/v1/partners/NTPL/patrons/\(reader.cardNumber!)", headers: headers)
            XCTAssertEqual(lookup.status, .ok)

            // Taipei's self-check machine, trusted with names, looks the card up over SIP2; a vendor account
            // that only learns a status does not count as a look at personal data.
            let trusted = try await app.sip2Accounts.create(user: "selfcheck-tpml", libraryCode: "TPML", institution: nil, allowedAddresses: "",
                                                            encoding: "utf8", personalData: true, alternateIDs: false, errorDetection: true)
            let statusOnly = try await app.sip2Accounts.create(user: "vendor-tpml", libraryCode: "TPML", institution: nil, allowedAddresses: "",
                                                               encoding: "utf8", personalData: false, alternateIDs: false, errorDetection: true)
            let server = SIP2Server(configuration: .init(timeZone: .taipei), backend: SIP2Lifecycle.backend(for: app), eventLoopGroup: app.eventLoopGroup)
            let port = try await server.start(host: "127.0.0.1", port: 0)
            do {
                for account in [trusted, statusOnly] {
                    let client = try await SIP2Client.connect(host: "127.0.0.1", port: port, errorDetection: true)
                    let login = try SIP2LoginResponse(try await client.request(SIP2LoginRequest(user: account.user, password: account.password).message))
                    XCTAssertTrue(login.ok)
                    let request = SIP2PatronStatusRequest(patronIdentifier: reader.cardNumber!, patronPassword: nil, institution: account.institution)
                    let status = try SIP2PatronStatusResponse(try await client.request(request.message))
                    XCTAssertEqual(status.validPatron, true)
                }
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
            let sip2Looks = try await audits(app, "patron.sip2_lookup", subject: reader.id!)
            XCTAssertEqual(sip2Looks, 1, "only the account trusted with personal data")

            let browser = TestBrowser(app)
            try await browser.get("/login")
            let signedIn = try await browser.post("/login", form: ["identifier": reader.cardNumber!, "password": "river lantern mango"])
            XCTAssertEqual(signedIn.status, .seeOther)
            let account = try await browser.get("/account")
            XCTAssertTrue(account.text.contains(#"href="/account/access-log""#), "我的帳戶 leads to it")
            let log = try await browser.get("/account/access-log")
            XCTAssertEqual(log.status, .ok)
            XCTAssertTrue(log.text.contains("個人資料查閱紀錄"))
            let rows: [String] = Array(log.text.components(separatedBy: "<tr><td")[1...])
            XCTAssertEqual(rows.count, 4, "activation, record, partner lookup, SIP2; not the reader's own sign-in: \(log.text)")
            XCTAssertTrue(rows.contains { $0.contains("臺北市立圖書館") && $0.contains("臨櫃開通或升級借閱證") })
            XCTAssertTrue(rows.contains { $0.contains("新北市立圖書館") && $0.contains("館員查閱讀者資料") })
            XCTAssertTrue(rows.contains { $0.contains("新北市立圖書館") && $0.contains("合作館系統查詢借閱證") })
            XCTAssertTrue(rows.contains { $0.contains("臺北市立圖書館") && $0.contains("SIP2") })
            XCTAssertFalse(log.text.contains("clerk.chen"), "libraries are named, not their staff")
            XCTAssertFalse(log.text.contains("@tpml.example") || log.text.contains("selfcheck-tpml"))

            let english = try await browser.get("/account/access-log?lang=en")
            XCTAssertTrue(english.text.contains("Who looked at my data"))
            XCTAssertTrue(english.text.contains("New Taipei City Library"))

            // Another reader's looks are theirs alone.
            let otherBrowser = TestBrowser(app)
            try await otherBrowser.get("/login")
            try await otherBrowser.post("/login", form: ["identifier": other.cardNumber!, "password": "river lantern mango"])
            let otherLog = try await otherBrowser.get("/account/access-log")
            XCTAssertEqual(otherLog.text.components(separatedBy: "<tr><td").count - 1, 1, "only their own activation")

            let signedOut = try await TestBrowser(app).get("/account/access-log")
            XCTAssertEqual(signedOut.status, .seeOther)
        }
    }
}
