import Fluent
import Foundation
import OneCardDomain
import XCTVapor
@testable import App

/// Issue #14 item 4: the administrators' reports, on a small data set whose every figure is known: counts per
/// day and channel, median and 90th percentile per queue, service levels in working days with a closed day in
/// between, partner links over time; the date range's validation; who may see which library; the downloads.
final class ReportsTests: XCTestCase {
    /// Friday 2026-03-20, noon in Taipei: "today" for the service levels.
    static let today = ReportRange.midnight(CalendarDay(iso: "2026-03-20")!).addingTimeInterval(12 * 3600)

    /// 10:00 in Taipei on `iso`, plus `days` (fractions allowed).
    func at(_ iso: String, plus days: Double = 0) -> Date {
        ReportRange.midnight(CalendarDay(iso: iso)!).addingTimeInterval(10 * 3600 + days * 86_400)
    }

    func library(_ app: Application, _ code: String) async throws -> Library {
        try await Library.require(code: code, on: app.db)
    }

    private var serial = 0

    @discardableResult
    func patron(_ app: Application, _ code: String, _ channel: Patron.ApplicationChannel, applied: Date,
                activatedAfterDays: Double? = nil, status: Patron.Status? = nil) async throws -> Patron {
        serial += 1
        let patron = Patron()
        patron.$library.id = try await library(app, code).requireID()
        patron.status = status ?? (activatedAfterDays == nil && channel != .group ? .pending : .active)
        patron.cardType = "personal"
        patron.cardKind = channel == .web || channel == .api ? .physical : .digital
        patron.applicationChannel = channel
        patron.applicationNumber = "REPORT-\(serial)"
        patron.name = "讀者\(serial)"
        patron.locale = "zh-TW"
        patron.appliedAt = applied
        patron.activatedAt = activatedAfterDays.map { applied.addingTimeInterval($0 * 86_400) }
        try await patron.create(on: app.db)
        return patron
    }

    func digitalCard(_ app: Application, submitted: Date, decidedAfterDays: Double?, status: DigitalCardApplication.Status,
                     method: DigitalCardApplication.Method = .documents) async throws {
        let holder = try await patron(app, "NLPI", .digital, applied: submitted, status: status == .approved ? .active : .pending)
        let application = DigitalCardApplication()
        application.$patron.id = try holder.requireID()
        application.method = method
        application.status = status
        application.documentSet = "adult"
        application.submittedAt = submitted
        application.dueOn = "2026-01-01"  // what was stored is not what the report trusts: it asks the calendar
        application.decidedAt = decidedAfterDays.map { submitted.addingTimeInterval($0 * 86_400) }
        try await application.create(on: app.db)
    }

    func groupApplication(_ app: Application, submitted: Date, decided: Date?) async throws -> GroupApplicationRecord {
        serial += 1
        let record = GroupApplicationRecord()
        record.$library.id = try await library(app, "TPML").requireID()
        record.reference = "NLPI-G-REPORT-\(serial)"
        record.status = decided == nil ? .submitted : .approved
        record.organizationName = "示範國小"
        record.organizationKind = .school
        record.contactName = "王老師"
        record.contactTitle = "教務主任"
        record.contactPhone = "0227000000"
        record.contactEmail = "contact\(serial)@school.example"
        record.contactGeneration = 1
        record.letterNumber = "北市教字第\(serial)號"
        record.letterDate = "2026-02-01"
        record.obligationsAcceptedAt = submitted
        record.locale = "zh-TW"
        record.submittedAt = submitted
        record.dueOn = "2026-01-01"
        record.decidedAt = decided
        try await record.create(on: app.db)
        return record
    }

    func batch(_ app: Application, of record: GroupApplicationRecord, received: Date, decided: Date?) async throws {
        serial += 1
        let batch = GroupBatch()
        batch.$application.id = try record.requireID()
        batch.reference = "NLPI-B-REPORT-\(serial)"
        batch.letterNumber = "北市教字第\(serial)號"
        batch.letterDate = "2026-02-01"
        batch.status = decided == nil ? .queued : .completed
        batch.receivedAt = received
        batch.targetOn = "2026-01-01"
        batch.dueOn = "2026-01-01"
        batch.rowCount = 1
        batch.leftOut = "[]"
        batch.importedCount = decided == nil ? 0 : 1
        batch.skippedCount = 0
        batch.decidedAt = decided
        try await batch.create(on: app.db)
    }

    func partnerLink(_ app: Application, _ serviceCode: String, holder: Patron, created: Date) async throws {
        let service = try await PartnerService.query(on: app.db).filter(\.$code == serviceCode)
            .filter(\.$library.$id == holder.$library.id).first()!
        let document = try await ConsentDocument.current(serviceCode == "TAIPEI_PASS" ? "TPML_PRIVACY" : "\(serviceCode)_LINK", at: Date(), on: app.db)
        let consent = ConsentRecord(patronID: try holder.requireID(), documentID: try document.requireID(), givenAt: created, channel: "web")
        try await consent.create(on: app.db)
        try await PartnerLink(patronID: holder.requireID(), partnerServiceID: service.requireID(), consentRecordID: consent.requireID(),
                              status: .active, createdAt: created).create(on: app.db)
    }

    /// The known data set. Every figure the tests expect is worked out in the comments.
    func seed(_ app: Application) async throws {
        // TPML, 2026-03-02: 3 web (decided after 1 and 2 days, one still pending) and 1 API (3 days);
        // 2026-03-03: 1 web (4 days), 1 API (10 days); 2026-03-05: 2 group cards.
        // The desk queue's decided durations are 1, 2, 3, 4, 10 days: median 3.0; the 90th percentile lies
        // (5 − 1) × 0.9 = 3.6 places after the first, 4 + 0.6 × (10 − 4) = 7.6.
        let first = try await patron(app, "TPML", .web, applied: at("2026-03-02"), activatedAfterDays: 1)
        let second = try await patron(app, "TPML", .web, applied: at("2026-03-02"), activatedAfterDays: 2)
        try await patron(app, "TPML", .web, applied: at("2026-03-02"))
        try await patron(app, "TPML", .api, applied: at("2026-03-02"), activatedAfterDays: 3)
        try await patron(app, "TPML", .web, applied: at("2026-03-03"), activatedAfterDays: 4)
        try await patron(app, "TPML", .api, applied: at("2026-03-03"), activatedAfterDays: 10)
        try await patron(app, "TPML", .group, applied: at("2026-03-05"))
        try await patron(app, "TPML", .group, applied: at("2026-03-05"))
        // Outside the range (the day before it, and after it), and another library's.
        try await patron(app, "TPML", .web, applied: at("2026-02-28"), activatedAfterDays: 30)
        try await patron(app, "TPML", .web, applied: at("2026-03-21"))
        try await patron(app, "NTPL", .web, applied: at("2026-03-02"), activatedAfterDays: 50)
        // A day arriving at 23:30 in Taipei (15:30 UTC) is Taipei's day, not UTC's.
        try await patron(app, "TPML", .api, applied: ReportRange.midnight(CalendarDay(iso: "2026-03-06")!).addingTimeInterval(23.5 * 3600))

        // NLPI digital cards; NLPI is closed on Wednesday 2026-03-04.
        try await LibraryClosedDay(libraryID: library(app, "NLPI").requireID(), day: "2026-03-04", reason: "盤點").create(on: app.db)
        // Monday → Friday: 03-03, (03-04 closed), 03-05, 03-06: the third working day. Met, only because of the closed day.
        try await digitalCard(app, submitted: at("2026-03-02"), decidedAfterDays: 4, status: .approved)
        // Monday → next Monday: missed.
        try await digitalCard(app, submitted: at("2026-03-02"), decidedAfterDays: 7, status: .rejected)
        // Tuesday, still open: due 03-09, before today: overdue.
        try await digitalCard(app, submitted: at("2026-03-03"), decidedAfterDays: nil, status: .submitted)
        // Thursday 03-19, still open: due 03-24, in time.
        try await digitalCard(app, submitted: at("2026-03-19"), decidedAfterDays: nil, status: .submitted)
        // A certificate is decided at once (no queue), and a returned one waits on the applicant: neither counts.
        try await digitalCard(app, submitted: at("2026-03-05"), decidedAfterDays: 0, status: .approved, method: .certificate)
        try await digitalCard(app, submitted: at("2026-03-10"), decidedAfterDays: 1, status: .returned)

        // TPML group: an application decided after 2 days, and batches received Monday 03-02 (target 03-11, due 03-16).
        let record = try await groupApplication(app, submitted: at("2026-03-02"), decided: at("2026-03-04"))
        try await batch(app, of: record, received: at("2026-03-02"), decided: at("2026-03-11"))  // 9 days; target met
        try await batch(app, of: record, received: at("2026-03-02"), decided: at("2026-03-13"))  // 11 days; due met
        try await batch(app, of: record, received: at("2026-03-02"), decided: at("2026-03-17"))  // 15 days; both missed
        try await batch(app, of: record, received: at("2026-03-03"), decided: nil)               // due 03-17: overdue
        try await batch(app, of: record, received: at("2026-03-19"), decided: nil)               // in time

        // A reader's request decided after one day, and one the reader took back.
        let request = PatronRequest(patronID: try first.requireID(), kind: .nameChange, requestedName: "王大明", note: nil, now: at("2026-03-02"))
        request.status = .approved
        request.decidedAt = at("2026-03-03")
        try await request.create(on: app.db)
        let cancelled = PatronRequest(patronID: try second.requireID(), kind: .deletion, requestedName: nil, note: nil, now: at("2026-03-02"))
        cancelled.status = .cancelled
        cancelled.decidedAt = at("2026-03-12")
        try await cancelled.create(on: app.db)

        // Partner links of TPML's services: NTPL twice on 03-02 and once on 03-05, Taipei Pass once on 03-03.
        try await partnerLink(app, "NTPL", holder: first, created: at("2026-03-02"))
        try await partnerLink(app, "NTPL", holder: second, created: at("2026-03-02"))
        let third = try await patron(app, "TPML", .web, applied: at("2026-02-01"), activatedAfterDays: 1)
        try await partnerLink(app, "NTPL", holder: third, created: at("2026-03-05"))
        try await partnerLink(app, "TAIPEI_PASS", holder: first, created: at("2026-03-03"))
    }

    private static let cell = try! NSRegularExpression(pattern: "<t[hd](?:\\s[^>]*)?>(.*?)</t[hd]>", options: [.dotMatchesLineSeparators])

    private func cells(_ text: Substring) -> [String] {
        let text = String(text)
        return Self.cell.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { String(text[Range($0.range(at: 1), in: text)!]) }
    }

    /// The rows of the table captioned `id` (its `<tbody>`), each as its cells' text.
    func table(_ html: String, _ id: String) -> [[String]] {
        guard let caption = html.range(of: #"<caption id="\#(id)-caption">"#),
              let body = html[caption.upperBound...].range(of: "<tbody>"),
              let end = html[body.upperBound...].range(of: "</tbody>") else { return [] }
        return html[body.upperBound..<end.lowerBound].components(separatedBy: "</tr>").dropLast().map { cells(Substring($0)) }
    }

    func header(_ html: String, _ id: String) -> [String] {
        guard let caption = html.range(of: #"<caption id="\#(id)-caption">"#),
              let head = html[caption.upperBound...].range(of: "</thead>") else { return [] }
        return cells(html[caption.upperBound..<head.lowerBound])
    }

    static let range = "from=2026-03-01&to=2026-03-20"

    // MARK: The figures

    func testALibraryAdministratorSeesTheirLibrarysExactFigures() async throws {
        try await withTestApp(clock: TestClock(Self.today)) { app in
            try await seed(app)
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let page = try await admin.get("/staff/reports?\(Self.range)")
            XCTAssertEqual(page.status, .ok)
            let html = page.text
            XCTAssertTrue(html.contains("臺北市立圖書館，2026-03-01 至 2026-03-20"))

            // Applications per day, by channel: every day of the range, zeros included.
            XCTAssertEqual(header(html, "applications"), ["日期", "網路申請", "自助機與系統介接", "團體申請", "數位借閱證", "合計"])
            let days = table(html, "applications")
            XCTAssertEqual(days.count, 20)
            XCTAssertEqual(days.first, ["2026-03-01", "0", "0", "0", "0", "0"])
            XCTAssertEqual(days[1], ["2026-03-02", "3", "1", "0", "0", "4"])
            XCTAssertEqual(days[2], ["2026-03-03", "1", "1", "0", "0", "2"])
            XCTAssertEqual(days[4], ["2026-03-05", "0", "0", "2", "0", "2"])
            XCTAssertEqual(days[5], ["2026-03-06", "0", "1", "0", "0", "1"], "23:30 in Taipei is Taipei's day")
            XCTAssertEqual(days.last, ["2026-03-20", "0", "0", "0", "0", "0"], "the next day's application is outside the range")

            // Time to decision: days, one decimal.
            XCTAssertEqual(table(html, "decisions"), [
                ["臨櫃待辦的線上申請", "5", "2", "3.0", "7.6"],
                ["數位借閱證審核", "0", "0", "—", "—"],  // NLPI's, not Taipei's
                ["團體申請", "1", "0", "2.0", "2.0"],
                // 9, 11 and 15 days: median 11; the 90th percentile 11 + 0.8 × 4.
                ["團體批次", "3", "2", "11.0", "14.2"],
                ["讀者申請事項", "1", "0", "1.0", "1.0"],
            ])

            // Service levels: of the five batches, one met the target of 7 working days, two the due date of 10.
            XCTAssertEqual(table(html, "compliance"), [
                ["數位借閱證：3 個工作天內", "0", "0", "0", "0", "—"],
                ["團體批次：目標 7 個工作天內", "1", "2", "1", "1", "25.0%"],
                ["團體批次：期限 10 個工作天內", "2", "1", "1", "1", "50.0%"],
            ])

            // Partner links, per day (the range is under two months), every TPML service a column.
            let services = try await PartnerService.query(on: app.db).filter(\.$library.$id == library(app, "TPML").requireID())
                .sort(\.$position).all()
            XCTAssertEqual(header(html, "partners"), ["日期"] + services.map(\.nameZH) + ["合計"])
            let ntpl = services.firstIndex { $0.code == "NTPL" }!, pass = services.firstIndex { $0.code == "TAIPEI_PASS" }!
            let links = table(html, "partners")
            XCTAssertEqual(links.count, 20)
            func row(_ day: String, _ counts: [Int: Int]) -> [String] {
                [day] + services.indices.map { String(counts[$0] ?? 0) } + [String(counts.values.reduce(0, +))]
            }
            XCTAssertEqual(links[1], row("2026-03-02", [ntpl: 2]))
            XCTAssertEqual(links[2], row("2026-03-03", [pass: 1]))
            XCTAssertEqual(links[4], row("2026-03-05", [ntpl: 1]))

            // Each chart is an accessible SVG image named by its title and description, with the same figures.
            for id in ["applications", "decisions", "compliance", "partners"] {
                XCTAssertTrue(html.contains(#"<svg role="img" aria-labelledby="chart-\#(id)-title chart-\#(id)-desc""#), id)
                XCTAssertTrue(html.contains(#"<title id="chart-\#(id)-title">"#), id)
                XCTAssertTrue(html.contains(#"<desc id="chart-\#(id)-desc">"#), id)
            }
            XCTAssertTrue(html.contains("共 9 件：網路申請 4 件、自助機與系統介接 3 件、團體申請 2 件、數位借閱證 0 件"), "the description sums the table")
            XCTAssertTrue(html.contains("臨櫃待辦的線上申請：中位數 3.0 天、第 90 百分位 7.6 天"))
            XCTAssertTrue(html.contains("團體批次：目標 7 個工作天內：達成率 25.0%（準時 1 件、逾時 3 件）"))
            let main = html[html.range(of: "<main")!.lowerBound..<html.range(of: "</main>")!.upperBound]
            XCTAssertFalse(main.contains("<script"), "no JavaScript draws the charts")

            // Over two months, partner links are counted per month.
            let quarter = try await admin.get("/staff/reports?from=2026-01-01&to=2026-03-20")
            XCTAssertEqual(header(quarter.text, "partners").first, "月份")
            XCTAssertEqual(table(quarter.text, "partners").map { $0.first! }, ["2026-01", "2026-02", "2026-03"])
            XCTAssertEqual(table(quarter.text, "partners").last?.last, "4")

            // English.
            let english = try await admin.get("/staff/reports?\(Self.range)&lang=en")
            XCTAssertEqual(header(english.text, "applications"), ["Day", "Web form", "Kiosks and partner systems", "Group", "Digital card", "Total"])
            XCTAssertEqual(table(english.text, "decisions").first, ["Online applications at the desk", "5", "2", "3.0", "7.6"])
        }
    }

    func testDigitalCardsAreCountedInWorkingDaysWithTheLibrarysClosedDayBetween() async throws {
        try await withTestApp(clock: TestClock(Self.today)) { app in
            try await seed(app)
            let consortium = try await signedInStaff(app, role: "consortium_admin", email: "consortium@tpml.example")
            let nlpi = try await consortium.get("/staff/reports?\(Self.range)&library=NLPI")
            XCTAssertEqual(nlpi.status, .ok)
            // Met (Monday → Friday over the closed Wednesday), missed, open and overdue, open and in time.
            XCTAssertEqual(table(nlpi.text, "compliance").first, ["數位借閱證：3 個工作天內", "1", "1", "1", "1", "33.3%"])
            // Decided after 4 and 7 days: median 5.5, 90th percentile 4 + 0.9 × 3.
            XCTAssertEqual(table(nlpi.text, "decisions")[1], ["數位借閱證審核", "2", "2", "5.5", "6.7"])
            let days = table(nlpi.text, "applications")
            XCTAssertEqual(days[1], ["2026-03-02", "0", "0", "0", "2", "2"])
            XCTAssertEqual(days[4], ["2026-03-05", "0", "0", "0", "1", "1"], "the certificate's card is an application")

            // Reopened on Wednesday, Friday is the fourth working day: the same decision was late.
            try await LibraryClosedDay.query(on: app.db).delete()
            let reopened = try await consortium.get("/staff/reports?\(Self.range)&library=NLPI")
            XCTAssertEqual(table(reopened.text, "compliance").first, ["數位借閱證：3 個工作天內", "0", "2", "1", "1", "0.0%"])

            // Every library: the consortium's sum, and the library filter offered.
            let all = try await consortium.get("/staff/reports?\(Self.range)")
            XCTAssertTrue(all.text.contains("所有圖書館，2026-03-01 至 2026-03-20"))
            XCTAssertEqual(table(all.text, "applications")[1], ["2026-03-02", "4", "1", "0", "2", "7"])
            XCTAssertTrue(all.text.contains(#"<select id="library" name="library""#))
            XCTAssertTrue(all.text.contains(#"<option value="NLPI">國立公共資訊圖書館</option>"#))
        }
    }

    // MARK: The date range

    func testTheDateRangeIsValidatedWithMessagesNamingTheField() async throws {
        try await withTestApp(clock: TestClock(Self.today)) { app in
            try await seed(app)
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let cases: [(String, String, String)] = [
                ("from=2026-02-30&to=2026-03-10", "from", "開始日期沒有這一天，請檢查年、月、日。"),
                ("from=yesterday&to=2026-03-10", "from", "開始日期格式不正確，請寫成 2026-12-07 或民國日期 115/12/07。"),
                ("from=2026-03-01&to=2026-3-x", "to", "結束日期格式不正確，請寫成 2026-12-07 或民國日期 115/12/07。"),
                ("from=2026-03-10&to=2026-03-01", "to", "結束日期不能早於開始日期。"),
                ("from=2024-03-01&to=2026-03-10", "to", "結束日期離開始日期太遠：報表最長涵蓋 731 天（兩年）。"),
                ("from=2026-03-21&to=2026-03-25", "from", "開始日期不能晚於今天。"),
            ]
            for (query, field, message) in cases {
                let page = try await admin.get("/staff/reports?\(query)")
                XCTAssertEqual(page.status, .unprocessableEntity, query)
                XCTAssertTrue(page.text.contains(##"<li><a href="#\##(field)">\##(message)</a></li>"##), query)
                XCTAssertTrue(page.text.contains(#"<p class="field-error" id="\#(field)-error">\#(message)</p>"#), query)
                XCTAssertTrue(page.text.contains(#"id="\#(field)" name="\#(field)""#) && page.text.contains(#"aria-invalid="true""#), query)
                XCTAssertFalse(page.text.contains("chart-applications"), "\(query): no figures for a range that is not one")
                // The download refuses it too, and writes nothing to the trail.
                let download = try await admin.get("/staff/reports/applications/csv?\(query)")
                XCTAssertEqual(download.status, .unprocessableEntity, query)
            }
            let typed = try await admin.get("/staff/reports?from=2026-02-30&to=2026-03-10")
            XCTAssertTrue(typed.text.contains(#"value="2026-02-30""#), "what was typed is kept")

            // ROC dates are dates; empty boxes are the last 30 days up to today.
            let roc = try await admin.get("/staff/reports?from=115/03/01&to=115/03/20")
            XCTAssertEqual(roc.status, .ok)
            XCTAssertEqual(table(roc.text, "applications")[1].prefix(2), ["2026-03-02", "3"])
            let plain = try await admin.get("/staff/reports")
            XCTAssertTrue(plain.text.contains("臺北市立圖書館，2026-02-19 至 2026-03-20"))

            let consortium = try await signedInStaff(app, role: "consortium_admin", email: "consortium@tpml.example")
            let unknown = try await consortium.get("/staff/reports?\(Self.range)&library=XXXX")
            XCTAssertEqual(unknown.status, .unprocessableEntity)
            XCTAssertTrue(unknown.text.contains("圖書館不在聯盟名單中，請從清單選擇。"))
            let audited = try await AuditEvent.query(on: app.db).filter(\.$action == "report.downloaded").count()
            XCTAssertEqual(audited, 0)
            let english = try await admin.get("/staff/reports?from=2026-03-10&to=2026-03-01&lang=en")
            XCTAssertTrue(english.text.contains("To: the date cannot be before From."))
        }
    }

    // MARK: Who may see what

    func testOnlyAdministratorsOpenTheReportsAndALibraryAdministratorOnlyTheirOwn() async throws {
        try await withTestApp(clock: TestClock(Self.today)) { app in
            try await seed(app)
            let routes = ["/staff/reports?\(Self.range)"] + ReportKind.allCases.flatMap { kind in
                ReportDownload.Format.allCases.map { "/staff/reports/\(kind.rawValue)/\($0.rawValue)?\(Self.range)" }
            }
            let desk = try await signedInStaff(app)
            let reviewer = try await signedInStaff(app, role: "reviewer", library: "NLPI", email: "reviewer@nlpi.example")
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let consortium = try await signedInStaff(app, role: "consortium_admin", email: "consortium@tpml.example")
            let stranger = TestBrowser(app)
            for route in routes {
                for (who, browser) in [("desk", desk), ("reviewer", reviewer)] {
                    let refused = try await browser.get(route)
                    XCTAssertEqual(refused.status, .forbidden, "\(who): \(route)")
                    XCTAssertFalse(refused.text.contains("2026-03-02"), "\(who): \(route)")
                }
                let signedOut = try await stranger.get(route)
                XCTAssertNotEqual(signedOut.status, .ok, route)
                XCTAssertFalse(signedOut.text.contains("2026-03-02"), route)
                let opened = try await admin.get(route)
                XCTAssertEqual(opened.status, .ok, "admin: \(route)")
                let all = try await consortium.get(route)
                XCTAssertEqual(all.status, .ok, "consortium administrator: \(route)")
                // A library's administrator cannot ask for another library, on the page or in a file.
                let other = try await admin.get(route + "&library=NTPL")
                XCTAssertEqual(other.status, .forbidden, "admin, another library: \(route)")
                let own = try await admin.get(route + "&library=TPML")
                XCTAssertEqual(own.status, .ok, "admin, own library named: \(route)")
            }
            // The navigation offers the room to administrators only; a library administrator has no library filter.
            let adminHome = try await admin.get("/staff")
            XCTAssertTrue(adminHome.text.contains(#"href="/staff/reports""#))
            let deskHome = try await desk.get("/staff")
            XCTAssertFalse(deskHome.text.contains(#"href="/staff/reports""#))
            let reviewerHome = try await reviewer.get("/staff")
            XCTAssertFalse(reviewerHome.text.contains(#"href="/staff/reports""#))
            let consortiumHome = try await consortium.get("/staff")
            XCTAssertTrue(consortiumHome.text.contains(#"href="/staff/reports""#))
            let page = try await admin.get("/staff/reports?\(Self.range)")
            XCTAssertFalse(page.text.contains(#"id="library""#))
            // What a library administrator sees is their library's alone, whatever else is in the database.
            XCTAssertEqual(table(page.text, "applications")[1], ["2026-03-02", "3", "1", "0", "0", "4"])
        }
    }

    // MARK: Downloads

    func testDownloadsCarryTheTablesFiguresAndAreAudited() async throws {
        try await withTestApp(clock: TestClock(Self.today)) { app in
            try await seed(app)
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let csv = try await admin.get("/staff/reports/applications/csv?\(Self.range)")
            XCTAssertEqual(csv.status, .ok)
            XCTAssertEqual(csv.headers.contentType?.subType, "csv")
            XCTAssertTrue(csv.headers.first(name: .contentDisposition)?.contains("onecard-applications-tpml-2026-03-01-2026-03-20.csv") ?? false)
            let lines = csv.body.string.components(separatedBy: "\r\n")
            XCTAssertEqual(lines[0], "\u{FEFF}日期,網路申請,自助機與系統介接,團體申請,數位借閱證,合計")
            XCTAssertEqual(lines[1], "2026-03-01,0,0,0,0,0")
            XCTAssertEqual(lines[2], "2026-03-02,3,1,0,0,4")
            XCTAssertEqual(lines.count, 22, "header, 20 days and the last line end")

            // The xlsx as openpyxl reads it: a title, the header row, and the figures as numbers.
            let xlsx = try await admin.get("/staff/reports/compliance/xlsx?\(Self.range)")
            XCTAssertEqual(xlsx.status, .ok)
            XCTAssertEqual(xlsx.headers.contentType?.subType, "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            let sheets = try await GroupFiles.readXLSX(Data(buffer: xlsx.body))
            let sheet = try XCTUnwrap(sheets["服務時限達成率"], "sheets: \(sheets.keys)")
            XCTAssertEqual(sheet["A1"]?["v"] as? String, "服務時限達成率 — 臺北市立圖書館，2026-03-01 至 2026-03-20")
            XCTAssertEqual(sheet["A2"]?["v"] as? String, "服務時限")
            XCTAssertEqual(sheet["A4"]?["v"] as? String, "團體批次：目標 7 個工作天內")
            XCTAssertEqual((sheet["B4"]?["v"] as? NSNumber)?.intValue, 1)
            XCTAssertEqual((sheet["C4"]?["v"] as? NSNumber)?.intValue, 2)
            XCTAssertEqual((sheet["F4"]?["v"] as? NSNumber)?.doubleValue, 25.0)

            // In English (the session keeps the language from here on).
            let decisions = try await admin.get("/staff/reports/decisions/csv?\(Self.range)&lang=en")
            XCTAssertEqual(decisions.body.string.components(separatedBy: "\r\n")[1], "Online applications at the desk,5,2,3,7.6")

            // Each download is on the trail: who, which report, which format, which days and library.
            let entries = try await AuditEvent.query(on: app.db).filter(\.$action == "report.downloaded").sort(\.$occurredAt).all()
            XCTAssertEqual(entries.count, 3)
            XCTAssertEqual(entries.map(\.subjectID), ["applications", "compliance", "decisions"])
            XCTAssertEqual(entries.first?.subjectType, "report")
            let details = try XCTUnwrap(entries.first?.details)
            for part in [#""format":"csv""#, #""from":"2026-03-01""#, #""to":"2026-03-20""#, #""library":"TPML""#] {
                XCTAssertTrue(details.contains(part), details)
            }
            XCTAssertEqual(entries.first?.actorType, "staff")

            // Unknown reports and formats are not found.
            let unknownReport = try await admin.get("/staff/reports/salaries/csv?\(Self.range)")
            XCTAssertEqual(unknownReport.status, .notFound)
            let unknownFormat = try await admin.get("/staff/reports/applications/pdf?\(Self.range)")
            XCTAssertEqual(unknownFormat.status, .notFound)
        }
    }

    // MARK: Channels recorded by the real paths

    func testEachPathRecordsItsChannel() async throws {
        try await withTestApp(clock: TestClock(Self.today)) { app in
            _ = try await submitApplication(app)
            let token = try await APIClients.create(name: "Kiosk", libraryCode: "TPML", scopes: [.cardApplications], database: app.db, now: app.clock.now())
            var headers: HTTPHeaders = ["Content-Type": "application/json"]
            headers.bearerAuthorization = .init(token: token)
            let created = try await app.testable().sendRequest(.POST, "/api/v1/card-applications", headers: headers,
                                                               body: CardApplicationAPITests.body(idNumber: nationalID(77)))
            XCTAssertEqual(created.status, .created)
            let channels = try await Patron.query(on: app.db).all().map(\.applicationChannel).sorted { $0.rawValue < $1.rawValue }
            XCTAssertEqual(channels, [.api, .web])
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let page = try await admin.get("/staff/reports")
            XCTAssertEqual(table(page.text, "applications").last, ["2026-03-20", "1", "1", "0", "0", "2"])
        }
    }
}
