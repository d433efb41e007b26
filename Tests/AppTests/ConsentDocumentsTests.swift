@testable import App
import Fluent
import OneCardDomain
import XCTVapor
import XCTest

/// Issue #14 item 6: consent documents in the back office (versions, drafts, preview, publication with an
/// effective date, who may publish what) and the renewed consent readers are asked for at sign-in.
final class ConsentDocumentsTests: XCTestCase {
    static let text = ["titleZH": "臺北市立圖書館讀者辦理圖書借閱證個人資料維護聲明（修訂）", "titleEN": "Taipei Public Library: personal data statement (revised)",
                       "bodyZH": "一、蒐集範圍：修訂後之範圍。\r\n\r\n二、蒐集目的：修訂後之目的。", "bodyEN": "1. Scope: as revised.\r\n\r\n2. Purpose: as revised."]

    private func today(_ app: Application) -> CalendarDay { CalendarDay(date: app.clock.now(), timeZone: .taipei) }

    /// Saves a draft of `code`'s next version and publishes it, as an administrator does on the page.
    private func publish(_ admin: TestBrowser, _ code: String, version: Int, renewal: Bool, effective: String,
                         text: [String: String] = ConsentDocumentsTests.text, file: StaticString = #filePath, line: UInt = #line) async throws {
        try await Self.publish(admin, code, version: version, renewal: renewal, effective: effective, text: text, file: file, line: line)
    }

    /// The same, for other suites that need a published version (the Taipei Pass sign-in's renewed consent).
    static func publish(_ admin: TestBrowser, _ code: String, version: Int, renewal: Bool, effective: String,
                        text: [String: String] = ConsentDocumentsTests.text, file: StaticString = #filePath, line: UInt = #line) async throws {
        try await admin.get("/staff/consents/\(code)")
        var form = text
        form["action"] = "save"
        if renewal { form["requiresRenewedConsent"] = "yes" }
        let saved = try await admin.post("/staff/consents/\(code)/versions/\(version)", form: form)
        XCTAssertEqual(saved.status, .seeOther, saved.text, file: file, line: line)
        let published = try await admin.post("/staff/consents/\(code)/versions/\(version)/publish", form: ["effectiveDate": effective])
        XCTAssertEqual(published.status, .seeOther, published.text, file: file, line: line)
    }

    func testAnAdministratorDraftsPreviewsAndPublishesAVersionThatNeverChanges() async throws {
        try await withTestApp { app in
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let list = try await admin.get("/staff/consents")
            XCTAssertEqual(list.status, .ok)
            XCTAssertTrue(list.text.contains(#"<a href="/staff/consents">同意書管理</a>"#), "in the staff navigation")
            XCTAssertTrue(list.text.contains(#"<a href="/staff/consents/TPML_PRIVACY">臺北市立圖書館讀者辦理圖書借閱證個人資料維護聲明</a>"#))
            XCTAssertTrue(list.text.contains("<code>NTPL_LINK</code>"), "every document is listed")

            let page = try await admin.get("/staff/consents/TPML_PRIVACY")
            XCTAssertTrue(page.text.contains("第 2 版草稿"))
            XCTAssertTrue(page.text.contains("Taipei Public Library: personal data statement for library card applications"), "both languages")
            XCTAssertFalse(page.text.contains("發布第 2 版"), "nothing to publish before a draft is saved")

            // The text is needed in both languages; a refusal keeps what was typed and saves nothing.
            var missing = Self.text
            missing["titleEN"] = " "
            let refused = try await admin.post("/staff/consents/TPML_PRIVACY/versions/2", form: missing)
            XCTAssertEqual(refused.status, .unprocessableEntity)
            XCTAssertTrue(refused.text.contains("中英文標題與內文皆須填寫"))
            XCTAssertTrue(refused.text.contains("一、蒐集範圍：修訂後之範圍。"))
            var drafts = try await ConsentDraft.query(on: app.db).count()
            XCTAssertEqual(drafts, 0)

            var form = Self.text
            form["action"] = "preview"
            form["requiresRenewedConsent"] = "yes"
            let saved = try await admin.post("/staff/consents/TPML_PRIVACY/versions/2", form: form)
            XCTAssertEqual(saved.headers.first(name: .location), "/staff/consents/TPML_PRIVACY/versions/2/preview")
            let preview = try await admin.get("/staff/consents/TPML_PRIVACY/versions/2/preview")
            XCTAssertTrue(preview.text.contains("第 2 版草稿預覽：讀者尚看不到。"))
            XCTAssertTrue(preview.text.contains("<h2 id=\"statement-heading\">臺北市立圖書館讀者辦理圖書借閱證個人資料維護聲明（修訂）</h2>"))
            XCTAssertTrue(preview.text.contains("<p>二、蒐集目的：修訂後之目的。</p>"), "paragraphs as readers see them")
            let english = try await admin.get("/staff/consents/TPML_PRIVACY/versions/2/preview?lang=en")
            XCTAssertTrue(english.text.contains("<p>1. Scope: as revised.</p>"))
            var current = try await ConsentDocument.current("TPML_PRIVACY", at: app.clock.now(), on: app.db)
            XCTAssertEqual(current.version, 1, "a draft is nobody's text yet")

            try await admin.get("/staff/consents/TPML_PRIVACY?lang=zh-TW")
            let published = try await admin.post("/staff/consents/TPML_PRIVACY/versions/2/publish", form: ["effectiveDate": today(app).iso])
            XCTAssertEqual(published.headers.first(name: .location), "/staff/consents/TPML_PRIVACY?notice=published")
            current = try await ConsentDocument.current("TPML_PRIVACY", at: app.clock.now(), on: app.db)
            XCTAssertEqual(current.version, 2)
            XCTAssertEqual(current.titleEN, "Taipei Public Library: personal data statement (revised)")
            XCTAssertEqual(current.bodyZH, "一、蒐集範圍：修訂後之範圍。\n\n二、蒐集目的：修訂後之目的。")
            XCTAssertTrue(current.requiresRenewedConsent)
            drafts = try await ConsentDraft.query(on: app.db).count()
            XCTAssertEqual(drafts, 0, "publishing uses the draft up")
            let actions = try await AuditEvent.query(on: app.db).filter(\.$action ~~ ["consent_document.draft_saved", "consent_document.published"])
                .all().sorted { $0.action < $1.action }
            XCTAssertEqual(actions.map(\.action), ["consent_document.draft_saved", "consent_document.published"])
            XCTAssertTrue(actions[1].details?.contains(#""renewedConsent":"yes""#) ?? false)
            XCTAssertTrue(actions[1].details?.contains(#""version":"2""#) ?? false)

            // A published version never changes: not through the page ...
            for version in [1, 2] {
                let edit = try await admin.post("/staff/consents/TPML_PRIVACY/versions/\(version)", form: ["titleZH": "改", "titleEN": "changed",
                                                                                                          "bodyZH": "改", "bodyEN": "changed"])
                XCTAssertEqual(edit.status, .conflict)
                XCTAssertTrue(edit.text.contains("此版本已發布，永不更動"), edit.text)
                let again = try await admin.post("/staff/consents/TPML_PRIVACY/versions/\(version)/publish", form: ["effectiveDate": today(app).iso])
                XCTAssertEqual(again.status, .conflict)
            }
            let unchanged = try await ConsentDocument.query(on: app.db).filter(\.$code == "TPML_PRIVACY").sort(\.$version).all()
            XCTAssertEqual(unchanged.map(\.titleZH), ["臺北市立圖書館讀者辦理圖書借閱證個人資料維護聲明", "臺北市立圖書館讀者辦理圖書借閱證個人資料維護聲明（修訂）"])
            drafts = try await ConsentDraft.query(on: app.db).count()
            XCTAssertEqual(drafts, 0)
            // ... nor in the database.
            unchanged[0].bodyZH = "改"
            do {
                try await unchanged[0].save(on: app.db)
                XCTFail("the database let a published version change")
            } catch {}
            let stored = try await ConsentDocument.find(unchanged[0].id, on: app.db)
            XCTAssertNotEqual(stored?.bodyZH, "改")

            let versions = try await admin.get("/staff/consents/TPML_PRIVACY")
            XCTAssertTrue(versions.text.contains("已發布。已發布的版本永不更動。") == false, "the notice only after the redirect")
            XCTAssertTrue(versions.text.contains("第 2 版 · 現行 · 須重新同意</h3>"), versions.text)
            XCTAssertTrue(versions.text.contains("第 3 版草稿"))
        }
    }

    func testAVersionComesIntoForceOnItsEffectiveDate() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            try await admin.get("/staff/consents/TPML_PRIVACY")
            try await admin.post("/staff/consents/TPML_PRIVACY/versions/2", form: Self.text)
            for (typed, message) in [(today(app).adding(days: -1).iso, "生效日不可早於今天。"), ("someday", "請以 2027-01-31 或 116/01/31 的格式輸入日期。")] {
                let refused = try await admin.post("/staff/consents/TPML_PRIVACY/versions/2/publish", form: ["effectiveDate": typed])
                XCTAssertEqual(refused.status, .unprocessableEntity)
                XCTAssertTrue(refused.text.contains(message), refused.text)
                XCTAssertTrue(refused.text.contains(#"value="\#(typed)""#), "what was typed is kept")
            }
            var count = try await ConsentDocument.query(on: app.db).filter(\.$code == "TPML_PRIVACY").count()
            XCTAssertEqual(count, 1)

            let effective = today(app).adding(days: 3)
            let published = try await admin.post("/staff/consents/TPML_PRIVACY/versions/2/publish", form: ["effectiveDate": effective.iso])
            XCTAssertEqual(published.status, .seeOther)
            count = try await ConsentDocument.query(on: app.db).filter(\.$code == "TPML_PRIVACY").count()
            XCTAssertEqual(count, 2)
            // Until then applicants agree to version 1, and the page says version 2 is waiting.
            let applicant = TestBrowser(app)
            var statement = try await applicant.get("/apply")
            XCTAssertTrue(statement.text.contains("臺北市立圖書館讀者辦理圖書借閱證個人資料維護聲明</"), statement.text)
            XCTAssertFalse(statement.text.contains("（修訂）"))
            let list = try await admin.get("/staff/consents")
            XCTAssertTrue(list.text.contains("第 2 版尚未生效。"))

            clock.advance(by: 3 * 86_400)
            let current = try await ConsentDocument.current("TPML_PRIVACY", at: app.clock.now(), on: app.db)
            XCTAssertEqual(current.version, 2)
            statement = try await applicant.get("/apply")
            XCTAssertTrue(statement.text.contains("臺北市立圖書館讀者辦理圖書借閱證個人資料維護聲明（修訂）"))
        }
    }

    /// Library administrators publish their library's documents, the consortium administrator the consortium's;
    /// desk and reviewer accounts and signed-out visitors reach none of the routes.
    func testWhoMayPublishWhat() async throws {
        try await withTestApp { app in
            let desk = try await signedInStaff(app, role: "desk", email: "desk@tpml.example")
            let reviewer = try await signedInStaff(app, role: "reviewer", email: "reviewer@tpml.example")
            let routes: [(get: Bool, path: String)] = [
                (true, "/staff/consents"), (true, "/staff/consents/TPML_PRIVACY"), (false, "/staff/consents/TPML_PRIVACY/versions/2"),
                (true, "/staff/consents/TPML_PRIVACY/versions/1/preview"), (false, "/staff/consents/TPML_PRIVACY/versions/2/publish"),
            ]
            let stranger = TestBrowser(app)
            for (browser, expected) in [(desk, HTTPStatus.forbidden), (reviewer, .forbidden), (stranger, .unauthorized)] {
                for route in routes {
                    // A valid CSRF token first, so that the refusal is the role check's.
                    try await browser.get(browser === stranger ? "/login" : "/staff")
                    let response = route.get ? try await browser.get(route.path)
                        : try await browser.post(route.path, form: Self.text.merging(["effectiveDate": today(app).iso]) { a, _ in a })
                    XCTAssertEqual(response.status, expected, "\(route.path)")
                }
            }
            let home = try await desk.get("/staff")
            XCTAssertFalse(home.text.contains("/staff/consents"), "not offered in the navigation")

            let tpml = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let ntpl = try await signedInStaff(app, role: "admin", library: "NTPL", email: "admin@ntpl.example")
            let consortium = try await signedInStaff(app, role: "consortium_admin", email: "consortium@tpml.example")
            let cases: [(TestBrowser, String, HTTPStatus)] = [
                (tpml, "NTPL_LINK", .forbidden), (tpml, "TAIPEI_CITY_ID", .forbidden), (ntpl, "TPML_PRIVACY", .forbidden),
                (consortium, "TPML_PRIVACY", .forbidden), (ntpl, "NTPL_LINK", .seeOther), (consortium, "TAIPEI_CITY_ID", .seeOther),
                (tpml, "TPML_LINK", .seeOther),
            ]
            for (browser, code, expected) in cases {
                try await browser.get("/staff/consents/\(code)")
                let saved = try await browser.post("/staff/consents/\(code)/versions/2", form: Self.text)
                XCTAssertEqual(saved.status, expected, code)
                let published = try await browser.post("/staff/consents/\(code)/versions/2/publish", form: ["effectiveDate": today(app).iso])
                XCTAssertEqual(published.status, expected, code)
            }
            let versions = try await ConsentDocument.query(on: app.db).filter(\.$version == 2).all().map(\.code).sorted()
            XCTAssertEqual(versions, ["NTPL_LINK", "TAIPEI_CITY_ID", "TPML_LINK"])
            let others = try await tpml.get("/staff/consents/NTPL_LINK")
            XCTAssertEqual(others.status, .ok, "every version is readable")
            XCTAssertTrue(others.text.contains("僅發布者可撰寫本同意書的新版本"))
            XCTAssertFalse(others.text.contains("儲存草稿"))
        }
    }

    /// A reader who agreed to version 1 is asked at the next sign-in once version 2 asks for renewed consent;
    /// accepting records version 2 with the channel, and the next sign-in goes straight on. A version that
    /// does not ask for renewed consent asks nobody.
    func testAReaderAcceptsARenewedConsentAtSignIn() async throws {
        try await withTestApp { app in
            let (_, patron) = try await signedInReader(app)
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let consortium = try await signedInStaff(app, role: "consortium_admin", email: "consortium@tpml.example")
            try await publish(consortium, "TAIPEI_CITY_ID", version: 2, renewal: false, effective: today(app).iso,
                              text: Self.text.merging(["titleZH": "臺北市府單一識別服務個人資料蒐集、處理及利用同意書"]) { _, b in b })

            func signIn() async throws -> (TestBrowser, XCTHTTPResponse) {
                let browser = TestBrowser(app)
                try await browser.get("/login")
                return (browser, try await browser.post("/login", form: ["identifier": patron.cardNumber!, "password": "river lantern mango"]))
            }
            var (browser, response) = try await signIn()
            XCTAssertEqual(response.headers.first(name: .location), "/account/home", "no renewal asked for: straight on")

            try await publish(admin, "TPML_PRIVACY", version: 2, renewal: true, effective: today(app).iso)
            (browser, response) = try await signIn()
            XCTAssertEqual(response.headers.first(name: .location), "/account/renewed-consent")
            let question = try await browser.get("/account/renewed-consent")
            XCTAssertTrue(question.text.contains("您曾同意本聲明第 1 版。本聲明已更新為第 2 版"))
            XCTAssertTrue(question.text.contains("臺北市立圖書館讀者辦理圖書借閱證個人資料維護聲明（修訂）"))
            XCTAssertTrue(question.text.contains("不同意即請求您的圖書館註銷借閱證並刪除您的資料"))
            let accepted = try await browser.post("/account/renewed-consent", form: ["code": "TPML_PRIVACY", "decision": "accept"])
            XCTAssertEqual(accepted.headers.first(name: .location), "/account/renewed-consent")
            let onward = try await browser.get("/account/renewed-consent")
            XCTAssertEqual(onward.headers.first(name: .location), "/account/home")

            let records = try await ConsentRecord.query(on: app.db).filter(\.$patron.$id == patron.requireID()).with(\.$document).all()
                .filter { $0.document.code == "TPML_PRIVACY" }.sorted { $0.document.version < $1.document.version }
            XCTAssertEqual(records.map(\.document.version), [1, 2])
            XCTAssertEqual(records[1].channel, "web")
            XCTAssertNil(records[0].withdrawnAt, "the old consent is not withdrawn by agreeing again")
            let audit = try await XCTUnwrapAsync(await AuditEvent.query(on: app.db).filter(\.$action == "consent.renewed").first())
            XCTAssertTrue(audit.details?.contains(#""version":"2""#) ?? false)

            (_, response) = try await signIn()
            XCTAssertEqual(response.headers.first(name: .location), "/account/home", "asked once")
        }
    }

    /// Declining the renewed statement of a partner link withdraws the consent and ends the link as 停用 does:
    /// the partner receives `link.withdrawn`.
    func testDecliningARenewedPartnerConsentEndsTheLinkAndTellsThePartner() async throws {
        try await withTestApp { app in
            let receiver = try await PartnerReceiver.start()
            do {
                let secret = try await PartnerEndpoints.configure(libraryCode: "NTPL", url: receiver.url, allowsPlainHTTP: true,
                                                                  database: app.db, vault: app.vault, now: app.clock.now())
                receiver.secret.withLockedValue { $0 = secret }
                let (reader, patron) = try await signedInReader(app)
                try await reader.get("/account/partners/NTPL")
                try await reader.post("/account/partners/NTPL", form: ["decision": "agree"])
                try await app.outboxWorker.deliverDue()
                XCTAssertEqual(receiver.accepted.map(\.body.type), [.linkCreated])

                let ntpl = try await signedInStaff(app, role: "admin", library: "NTPL", email: "admin@ntpl.example")
                try await publish(ntpl, "NTPL_LINK", version: 2, renewal: true, effective: today(app).iso)

                let browser = TestBrowser(app)
                try await browser.get("/login")
                let signedIn = try await browser.post("/login", form: ["identifier": patron.cardNumber!, "password": "river lantern mango"])
                XCTAssertEqual(signedIn.headers.first(name: .location), "/account/renewed-consent")
                let question = try await browser.get("/account/renewed-consent")
                XCTAssertTrue(question.text.contains("您的借閱證與新北市立圖書館的結合將停用，並通知新北市立圖書館。"), question.text)
                let declined = try await browser.post("/account/renewed-consent", form: ["code": "NTPL_LINK", "decision": "decline"])
                XCTAssertEqual(declined.headers.first(name: .location), "/account/renewed-consent")
                let onward = try await browser.get("/account/renewed-consent")
                XCTAssertEqual(onward.headers.first(name: .location), "/account/home")

                let link = try await XCTUnwrapAsync(await PartnerLink.query(on: app.db).with(\.$consentRecord).first())
                XCTAssertEqual(link.status, .withdrawn)
                XCTAssertNotNil(link.consentRecord.withdrawnAt)
                let visible = try await PatronVisibility.isVisible(patron, toLibrary: try await Library.require(code: "NTPL", on: app.db).requireID(), on: app.db)
                XCTAssertFalse(visible)
                try await app.outboxWorker.deliverDue()
                XCTAssertEqual(receiver.accepted.map(\.body.type), [.linkCreated, .linkWithdrawn])
                XCTAssertEqual(receiver.accepted.last?.body.card.cardNumber, patron.cardNumber)
                let actions = try await AuditEvent.query(on: app.db).filter(\.$action ~~ ["consent.renewal_declined", "partner_link.disabled"])
                    .all().map(\.action).sorted()
                XCTAssertEqual(actions, ["consent.renewal_declined", "partner_link.disabled"])
                let agreedAgain = try await ConsentRecord.query(on: app.db).join(ConsentDocument.self, on: \ConsentRecord.$document.$id == \ConsentDocument.$id)
                    .filter(ConsentDocument.self, \.$version == 2).count()
                XCTAssertEqual(agreedAgain, 0)
            } catch {
                try await receiver.stop()
                throw error
            }
            try await receiver.stop()
        }
    }

    /// `onecard seed-demo` publishes the libraries' real texts (the seeds' 個人資料維護聲明 and 單一識別服務同意書)
    /// as version 2, once, audited; applicants then read the real words.
    func testTheLibrariesRealTextsArePublishedOnceAsTheNextVersion() async throws {
        try await withTestApp { app in
            let publication = ConsentPublication(database: app.db, now: app.clock.now())
            for (code, text) in PublishedLibraryTexts.all {
                let published = try await publication.publishIfNew(text, code: code, by: .system("seed-demo"))
                XCTAssertEqual(published?.version, 2, code)
                let again = try await publication.publishIfNew(text, code: code, by: .system("seed-demo"))
                XCTAssertNil(again, "seed-demo run twice publishes nothing new")
            }
            let applicant = TestBrowser(app)
            let statement = try await applicant.get("/apply")
            XCTAssertTrue(statement.text.contains("謹遵個人資料保護法相關規定"), "applicants read the real words")
            // An administrator's later version is not replaced by the next seed-demo.
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            try await publish(admin, "TPML_PRIVACY", version: 3, renewal: false, effective: today(app).iso)
            let afterAdmin = try await publication.publishIfNew(PublishedLibraryTexts.tpmlPrivacy, code: "TPML_PRIVACY", by: .system("seed-demo"))
            XCTAssertNil(afterAdmin)
            let inForce = try await ConsentDocument.current("TPML_PRIVACY", at: app.clock.now(), on: app.db)
            XCTAssertEqual(inForce.version, 3)
            let current = try await ConsentDocument.query(on: app.db).filter(\.$code == "TPML_PRIVACY").filter(\.$version == 2).first()!
            XCTAssertTrue(current.bodyZH.contains("三、讀者權益：基於我國個人資料保護法之規定，您可行使下述權利：(一)請求查詢本人之個人資料。(二)請求更正本人之個人資料。"))
            XCTAssertFalse(current.requiresRenewedConsent)
            let city = try await ConsentDocument.current("TAIPEI_CITY_ID", at: app.clock.now(), on: app.db)
            XCTAssertTrue(city.bodyZH.contains("請洽(02)27208889#8585"))
            let audits = try await AuditEvent.query(on: app.db).filter(\.$action == "consent_document.published").count()
            XCTAssertEqual(audits, 3)
        }
    }

    /// EZproxy's sign-in goes through the same question, then on to EZproxy with its destination; the consent
    /// is recorded with the channel it came through.
    func testAnEZproxySignInAsksFirstThenGoesOnToEZproxy() async throws {
        try await withTestApp { app in
            let patron = try await activateCard(app, try await submitApplication(app))
            let added = try await EZproxyHosts.add(name: "tpml", libraryCode: "TPML", loginURL: "https://ezproxy.tpml.example:2443", algorithm: "sha512",
                                                   signInURL: { "https://onecard.example/ezproxy/\($0)/login" }, allowsPlainHTTP: false,
                                                   database: app.db, vault: app.vault, now: app.clock.now())
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            try await publish(admin, "TPML_PRIVACY", version: 2, renewal: true, effective: today(app).iso)

            let destination = "https://search.ebsco.example/a b"
            let browser = TestBrowser(app)
            try await browser.get("/ezproxy/\(added.host.name)/login")
            let signedIn = try await browser.post("/ezproxy/\(added.host.name)/login",
                                                  form: ["identifier": patron.cardNumber!, "password": "river lantern mango", "url": destination])
            XCTAssertEqual(signedIn.headers.first(name: .location), "/account/renewed-consent", "no ticket before the answer")
            try await browser.get("/account/renewed-consent")
            try await browser.post("/account/renewed-consent", form: ["code": "TPML_PRIVACY", "decision": "accept"])
            let onward = try await browser.get("/account/renewed-consent")
            let back = try XCTUnwrap(onward.headers.first(name: .location))
            XCTAssertEqual(back, "/ezproxy/tpml/login?url=https://search.ebsco.example/a%20b")
            let ticket = try await browser.get(back)
            XCTAssertTrue(ticket.headers.first(name: .location)?.hasPrefix("https://ezproxy.tpml.example:2443/login?user=") ?? false)
            let renewed = try await ConsentRecord.query(on: app.db).join(ConsentDocument.self, on: \ConsentRecord.$document.$id == \ConsentDocument.$id)
                .filter(ConsentDocument.self, \.$version == 2).all()
            XCTAssertEqual(renewed.map(\.channel), ["ezproxy"])
        }
    }

    /// An OpenID Connect sign-in goes through the same question, then on with the relying party's request.
    func testAnOpenIDConnectSignInAsksFirstThenAnswersTheClient() async throws {
        try await withTestApp { app in
            let patron = try await activateCard(app, try await submitApplication(app))
            let (client, _) = try await OIDCClients(database: app.db, now: app.clock.now()).create(
                .init(clientID: "ebooks", name: "電子書平台", homePage: "https://ebooks.example", redirectURIs: ["https://ebooks.example/callback"],
                      scopes: ["openid", "card"], libraryCodes: ["TPML"], allDigitalCards: false, confidential: false),
                by: .commandLine)
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            try await publish(admin, "TPML_PRIVACY", version: 2, renewal: true, effective: today(app).iso)

            var authorize = URLComponents(string: "/oidc/authorize")!
            authorize.queryItems = [
                .init(name: "client_id", value: client.clientID), .init(name: "redirect_uri", value: "https://ebooks.example/callback"),
                .init(name: "response_type", value: "code"), .init(name: "scope", value: "openid card"), .init(name: "state", value: "st-1"),
                .init(name: "code_challenge", value: OIDCGrants.s256(String(repeating: "v", count: 50))), .init(name: "code_challenge_method", value: "S256"),
            ]
            let browser = TestBrowser(app)
            try await browser.get(authorize.string!)
            let signedIn = try await browser.post("/oidc/sign-in", form: ["identifier": patron.cardNumber!, "password": "river lantern mango"])
            XCTAssertEqual(signedIn.headers.first(name: .location), "/account/renewed-consent")
            try await browser.get("/account/renewed-consent")
            try await browser.post("/account/renewed-consent", form: ["code": "TPML_PRIVACY", "decision": "accept"])
            let onward = try await browser.get("/account/renewed-consent")
            XCTAssertEqual(onward.headers.first(name: .location), "/oidc/continue")
            let consent = try await browser.get("/oidc/continue")
            XCTAssertTrue(consent.text.contains(#"name="decision""#), "then the client's own consent")
            let answered = try await browser.post("/oidc/consent", form: ["decision": "allow"])
            XCTAssertTrue(answered.headers.first(name: .location)?.hasPrefix("https://ebooks.example/callback?code=") ?? false)
            let renewed = try await ConsentRecord.query(on: app.db).join(ConsentDocument.self, on: \ConsentRecord.$document.$id == \ConsentDocument.$id)
                .filter(ConsentDocument.self, \.$code == "TPML_PRIVACY").filter(ConsentDocument.self, \.$version == 2).all()
            XCTAssertEqual(renewed.map(\.channel), ["oidc"])
        }
    }
}
