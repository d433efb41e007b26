import Crypto
import Fluent
import Foundation
import NIOConcurrencyHelpers
import OneCardDomain
import XCTVapor
@testable import App

/// 與台北通結合 and 以台北通登入 against a real OpenID Connect provider (oidc-provider-mock from PyPI, with
/// PKCE enforced), started by the test. The provider's side of the browser — its authorization page, the
/// `sub` typed in, Authorize or Deny — goes through Vapor's HTTP client; OneCard's side through `TestBrowser`.
final class TaipeiPassTests: XCTestCase {
    private static let providers = NIOLockedValueBox<[String: OIDCProviderProcess]>([:])

    /// One provider process per set of options, shared by the tests of this class.
    static func provider(_ arguments: [String] = []) async throws -> OIDCProviderProcess {
        let key = arguments.joined(separator: " ")
        if let running = providers.withLockedValue({ $0[key] }) { return running }
        let started = try await OIDCProviderProcess.start(arguments)
        providers.withLockedValue { $0[key] = started }
        return started
    }

    override class func tearDown() {
        providers.withLockedValue { running in
            running.values.forEach { $0.terminate() }
            running = [:]
        }
        super.tearDown()
    }

    /// The app with Taipei Pass configured, on a clock that follows real time (the provider stamps its
    /// tokens with it) and that a test can move.
    func withTaipeiPass(_ provider: OIDCProviderProcess, clock: WallClock = WallClock(), clientID: String = "onecard-test",
                        secret: String? = nil, _ body: (Application) async throws -> Void) async throws {
        try await withTestApp(adjust: {
            TaipeiPassTestSettings.configure(&$0, issuer: provider.issuer, clientID: clientID, secret: secret)
        }) { app in
            app.clock = clock.oneCardClock
            try await body(app)
        }
    }

    /// 合作館服務 → 與台北通結合 → 啟用 → 同意; returns where OneCard sent the browser.
    func agreeToLink(_ browser: TestBrowser, file: StaticString = #filePath, line: UInt = #line) async throws -> String {
        let statement = try await browser.get("/account/partners/TAIPEI_PASS")
        XCTAssertEqual(statement.status, .ok, file: file, line: line)
        let agreed = try await browser.post("/account/partners/TAIPEI_PASS", form: ["decision": "agree"])
        XCTAssertEqual(agreed.status, .seeOther, file: file, line: line)
        return try XCTUnwrap(agreed.headers.first(name: .location), file: file, line: line)
    }

    /// 登入 → 以台北通登入; returns where OneCard sent the browser.
    func startSignIn(_ browser: TestBrowser, file: StaticString = #filePath, line: UInt = #line) async throws -> String {
        let page = try await browser.get("/login")
        XCTAssertTrue(page.text.contains("以台北通登入"), file: file, line: line)
        let started = try await browser.post("/login/taipei-pass", form: [:])
        XCTAssertEqual(started.status, .seeOther, file: file, line: line)
        return try XCTUnwrap(started.headers.first(name: .location), file: file, line: line)
    }

    /// Links `patron`'s card (signed in on `browser`) with the Taipei Pass account `subject`.
    func link(_ app: Application, _ browser: TestBrowser, as subject: String, provider: OIDCProviderProcess) async throws {
        let callback = try await ProviderUser(client: app.client).authorize(try await agreeToLink(browser), as: subject)
        let back = try await browser.get(callback)
        XCTAssertEqual(back.headers.first(name: .location), "/account/partners/TAIPEI_PASS/done")
    }

    func counts(_ app: Application, _ patron: Patron) async throws -> (identities: Int, activeLinks: Int, cityConsents: Int) {
        let id = try patron.requireID()
        let identities = try await TaipeiPassIdentity.query(on: app.db).filter(\.$patron.$id == id).count()
        let links = try await PartnerLink.query(on: app.db).filter(\.$patron.$id == id).filter(\.$status == .active).count()
        let consents = try await ConsentRecord.query(on: app.db).join(ConsentDocument.self, on: \ConsentRecord.$document.$id == \ConsentDocument.$id)
            .filter(ConsentDocument.self, \.$code == "TAIPEI_CITY_ID").filter(\.$patron.$id == id).count()
        return (identities, links, consents)
    }

    func query(_ url: String) -> [String: String] {
        Dictionary((URLComponents(string: url)?.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
    }

    // MARK: Not configured

    func testWithoutAProviderTheRowSaysAskADeskAndSignInOffersNoTaipeiPass() async throws {
        try await withTestApp { app in
            let (browser, _) = try await signedInReader(app)
            let partnersPage = try await browser.get("/account/partners")
            XCTAssertTrue(partnersPage.headers.first(name: "Content-Security-Policy")?.contains("form-action 'self';") == true)
            let partners = partnersPage.text
            XCTAssertTrue(partners.contains("與台北通結合需以台北通帳號登入驗證，目前請洽服務臺辦理。"))
            XCTAssertFalse(partners.contains(#"href="/account/partners/TAIPEI_PASS""#))
            try await browser.get("/account/partners/NTPL") // a page with a form, for the CSRF token
            let agreed = try await browser.post("/account/partners/TAIPEI_PASS", form: ["decision": "agree"])
            XCTAssertEqual(agreed.status, .conflict)
            let signIn = try await TestBrowser(app).get("/login").text
            XCTAssertFalse(signIn.contains("以台北通登入"))
            XCTAssertFalse(signIn.contains("/login/taipei-pass"))
            let callback = try await TestBrowser(app).get("/login/taipei-pass/callback?code=x&state=y")
            XCTAssertEqual(callback.status, .notFound)
        }
    }

    // MARK: Linking and signing in

    func testLinkingRecordsConsentIdentityAndLinkAndThenTheAccountSignsIn() async throws {
        // A confidential client, registered at the provider, which then checks its secret at the token endpoint.
        let provider = try await Self.provider(["--require-registration"])
        let registrar = try await withClient { try await provider.registerClient(
            redirectURI: TaipeiPassTestSettings.baseURL + SiteURL.taipeiPassCallback.path, using: $0) }
        try await withTaipeiPass(provider, clientID: registrar.id, secret: registrar.secret) { app in
            let (browser, patron) = try await signedInReader(app)
            let before = try await counts(app, patron)
            XCTAssertEqual(before.cityConsents, 1, "agreed once already, in the card application")

            let list = try await browser.get("/account/partners").text
            XCTAssertTrue(list.contains(#"<a class="button" href="/account/partners/TAIPEI_PASS""#))
            XCTAssertFalse(list.contains("目前請洽服務臺辦理"))
            let statementPage = try await browser.get("/account/partners/TAIPEI_PASS")
            // Browsers hold the redirect after 同意 to the page's form-action, so the provider must be in it.
            let policy = statementPage.headers.first(name: "Content-Security-Policy") ?? ""
            XCTAssertTrue(policy.contains("form-action 'self' \(provider.issuer);"), policy)
            let statement = statementPage.text
            XCTAssertTrue(statement.contains("<h1>啟用服務聲明</h1>"))
            XCTAssertTrue(statement.contains("臺北市府單一識別服務個人資料蒐集、處理及利用同意書"))
            XCTAssertTrue(statement.contains(#"value="disagree" class="secondary">不同意</button>"#))
            XCTAssertTrue(statement.contains(#"value="agree">同意</button>"#))
            XCTAssertTrue(statement.contains("按「同意」後將前往台北通登入頁"))

            let declined = try await browser.post("/account/partners/TAIPEI_PASS", form: ["decision": "disagree"])
            XCTAssertEqual(declined.headers.first(name: .location), "/account/partners")

            let authorizationURL = try await agreeToLink(browser)
            XCTAssertTrue(authorizationURL.hasPrefix(provider.issuer + "/oauth2/authorize?"), authorizationURL)
            let parameters = query(authorizationURL)
            XCTAssertEqual(parameters["response_type"], "code")
            XCTAssertEqual(parameters["client_id"], registrar.id)
            XCTAssertEqual(parameters["redirect_uri"], "http://127.0.0.1:8080/login/taipei-pass/callback")
            XCTAssertEqual(parameters["scope"], "openid")
            XCTAssertEqual(parameters["code_challenge_method"], "S256")
            XCTAssertEqual(parameters["code_challenge"]?.count, 43)
            XCTAssertEqual(parameters["state"]?.count, 43)
            XCTAssertEqual(parameters["nonce"]?.count, 43)
            XCTAssertNotEqual(parameters["state"], parameters["nonce"])
            XCTAssertNil(parameters["code_verifier"], "the verifier stays on the server")
            XCTAssertEqual(parameters["ui_locales"], "zh-TW")
            let afterAgreeing = try await counts(app, patron)
            XCTAssertEqual(afterAgreeing.cityConsents, 1, "nothing is recorded before Taipei Pass vouched for the account")
            XCTAssertEqual(afterAgreeing.identities, 0)

            let subject = "citizen-\(UUID().uuidString)"
            let callback = try await ProviderUser(client: app.client).authorize(authorizationURL, as: subject)
            XCTAssertEqual(query(callback)["state"], parameters["state"])
            let back = try await browser.get(callback)
            XCTAssertEqual(back.status, .seeOther)
            XCTAssertEqual(back.headers.first(name: .location), "/account/partners/TAIPEI_PASS/done")
            let done = try await browser.get("/account/partners/TAIPEI_PASS/done").text
            XCTAssertTrue(done.contains("已啟用「與台北通結合」，您的同意紀錄已保存。"))

            let identity = try await XCTUnwrapAsync(await TaipeiPassIdentity.query(on: app.db).first())
            XCTAssertEqual(identity.$patron.id, patron.id)
            XCTAssertEqual(identity.issuer, provider.issuer)
            XCTAssertEqual(identity.subject, subject)
            let link = try await XCTUnwrapAsync(await PartnerLink.query(on: app.db).filter(\.$patron.$id == patron.requireID())
                .with(\.$partnerService).with(\.$consentRecord) { $0.with(\.$document) }.first())
            XCTAssertEqual(link.partnerService.code, "TAIPEI_PASS")
            XCTAssertEqual(link.status, .active)
            XCTAssertEqual(link.consentRecord.document.code, "TAIPEI_CITY_ID")
            XCTAssertEqual(link.consentRecord.channel, "web")
            let after = try await counts(app, patron)
            XCTAssertEqual(after.cityConsents, 2, "the agreement is its own record")
            let audit = try await XCTUnwrapAsync(await AuditEvent.query(on: app.db).filter(\.$action == "partner_link.enabled").first())
            XCTAssertEqual(audit.details, #"{"consentVersion":"1","partner":"TAIPEI_PASS"}"#)
            let disableOffered = try await browser.get("/account/partners").text.contains("停用 與台北通結合")
            XCTAssertTrue(disableOffered)
            let export = try await browser.get("/account/my-data.json").text
            XCTAssertTrue(export.contains(#""subject" : "\#(subject)""#), export)

            // Signed out, the same Taipei Pass account signs in to this card, on a new session id.
            try await browser.post("/logout", form: [:])
            let signInBrowser = TestBrowser(app)
            let signInURL = try await startSignIn(signInBrowser)
            XCTAssertTrue(signInURL.hasPrefix(provider.issuer + "/oauth2/authorize?"))
            XCTAssertNotEqual(query(signInURL)["state"], parameters["state"])
            let sessionBefore = signInBrowser.cookies["onecard_session"]
            let signedIn = try await signInBrowser.get(try await ProviderUser(client: app.client).authorize(signInURL, as: subject))
            XCTAssertEqual(signedIn.headers.first(name: .location), "/account/home")
            XCTAssertNotEqual(signInBrowser.cookies["onecard_session"], sessionBefore, "a new session id at sign-in")
            let home = try await signInBrowser.get("/account/home")
            XCTAssertEqual(home.status, .ok)
            XCTAssertTrue(home.text.contains(patron.cardNumber!))
            let signIns = try await AuditEvent.query(on: app.db).filter(\.$action == "reader.signed_in").all()
            XCTAssertTrue(signIns.contains { $0.details == #"{"method":"taipei_pass"}"# && $0.subjectID == patron.id?.uuidString },
                          "the sign-in is audited, with how it was made")
            let signedInIdentity = try await TaipeiPassIdentity.query(on: app.db).first()
            XCTAssertNotNil(signedInIdentity?.lastSignedInAt)
        }
    }

    // MARK: Renewed consent at a Taipei Pass sign-in

    /// A linked reader, signed out, after the consortium administrator published 臺北市府單一識別服務同意書
    /// version 2 marked as needing renewed consent: the Taipei Pass sign-in goes to the question first.
    func signInAskedToRenew(_ app: Application, provider: OIDCProviderProcess) async throws -> (TestBrowser, Patron, String) {
        let (reader, patron) = try await signedInReader(app)
        let subject = "citizen-\(UUID())"
        try await link(app, reader, as: subject, provider: provider)
        try await reader.post("/logout", form: [:])
        let consortium = try await signedInStaff(app, role: "consortium_admin", library: "NLPI", email: "consortium@nlpi.example")
        try await ConsentDocumentsTests.publish(consortium, "TAIPEI_CITY_ID", version: 2, renewal: true,
                                                effective: CalendarDay(date: app.clock.now(), timeZone: .taipei).iso,
                                                text: ConsentDocumentsTests.text.merging(["titleZH": "臺北市府單一識別服務個人資料蒐集、處理及利用同意書（修訂）"]) { _, new in new })
        let browser = TestBrowser(app)
        let signedIn = try await browser.get(try await ProviderUser(client: app.client).authorize(try await startSignIn(browser), as: subject))
        XCTAssertEqual(signedIn.headers.first(name: .location), "/account/renewed-consent", "asked before the account's home")
        let question = try await browser.get("/account/renewed-consent")
        XCTAssertEqual(question.status, .ok)
        XCTAssertTrue(question.text.contains("您曾同意本聲明第 1 版。本聲明已更新為第 2 版"), question.text)
        XCTAssertTrue(question.text.contains("臺北市府單一識別服務個人資料蒐集、處理及利用同意書（修訂）"))
        return (browser, patron, subject)
    }

    func cityConsents(_ app: Application, _ patron: Patron) async throws -> [ConsentRecord] {
        try await ConsentRecord.query(on: app.db).filter(\.$patron.$id == patron.requireID()).with(\.$document).all()
            .filter { $0.document.code == "TAIPEI_CITY_ID" }.sorted { ($0.document.version, $0.givenAt) < ($1.document.version, $1.givenAt) }
    }

    /// Accepting records version 2 through the Taipei Pass channel; the link now rests on it, and the next
    /// Taipei Pass sign-in goes straight on.
    func testATaipeiPassSignInAsksForRenewedConsentAndAcceptingRecordsItThroughTaipeiPass() async throws {
        let provider = try await Self.provider()
        try await withTaipeiPass(provider) { app in
            let (browser, patron, subject) = try await signInAskedToRenew(app, provider: provider)
            let accepted = try await browser.post("/account/renewed-consent", form: ["code": "TAIPEI_CITY_ID", "decision": "accept"])
            XCTAssertEqual(accepted.headers.first(name: .location), "/account/renewed-consent")
            let onward = try await browser.get("/account/renewed-consent")
            XCTAssertEqual(onward.headers.first(name: .location), "/account/home")
            let home = try await browser.get("/account/home")
            XCTAssertEqual(home.status, .ok)
            XCTAssertTrue(home.text.contains(patron.cardNumber!))

            let records = try await cityConsents(app, patron)
            XCTAssertEqual(records.map(\.document.version), [1, 1, 2], "the application's, the link's, and the renewal")
            XCTAssertEqual(records.last?.channel, "taipei_pass", "given at a Taipei Pass sign-in")
            XCTAssertTrue(records.allSatisfy { $0.withdrawnAt == nil }, "agreeing again withdraws nothing")
            let link = try await XCTUnwrapAsync(await PartnerLink.query(on: app.db).filter(\.$patron.$id == patron.requireID())
                .filter(\.$status == .active).with(\.$consentRecord).first())
            XCTAssertEqual(link.$consentRecord.id, records.last?.id, "the link rests on the new consent")
            let audit = try await XCTUnwrapAsync(await AuditEvent.query(on: app.db).filter(\.$action == "consent.renewed").first())
            XCTAssertTrue(audit.details?.contains(#""channel":"taipei_pass""#) ?? false, audit.details ?? "")
            XCTAssertTrue(audit.details?.contains(#""version":"2""#) ?? false)
            let staffWords = try await signedInStaff(app, role: "admin", email: "admin@tpml.example").get("/staff/patrons/\(patron.requireID())")
            XCTAssertTrue(staffWords.text.contains("台北通登入時"), "the record names the channel in words")

            let again = TestBrowser(app)
            let signedIn = try await again.get(try await ProviderUser(client: app.client).authorize(try await startSignIn(again), as: subject))
            XCTAssertEqual(signedIn.headers.first(name: .location), "/account/home", "asked once")
        }
    }

    /// Declining withdraws the old consents as 我的帳戶's 撤回 does: the Taipei Pass link ends (the identity
    /// with it), nothing of version 2 is recorded, and the account no longer signs in with Taipei Pass.
    func testATaipeiPassSignInAsksForRenewedConsentAndDecliningEndsTheLink() async throws {
        let provider = try await Self.provider()
        try await withTaipeiPass(provider) { app in
            let (browser, patron, subject) = try await signInAskedToRenew(app, provider: provider)
            let declined = try await browser.post("/account/renewed-consent", form: ["code": "TAIPEI_CITY_ID", "decision": "decline"])
            XCTAssertEqual(declined.headers.first(name: .location), "/account/renewed-consent")
            let onward = try await browser.get("/account/renewed-consent")
            XCTAssertEqual(onward.headers.first(name: .location), "/account/home")

            let records = try await cityConsents(app, patron)
            XCTAssertEqual(records.map(\.document.version), [1, 1], "nothing of version 2")
            XCTAssertTrue(records.allSatisfy { $0.withdrawnAt != nil }, "both old consents withdrawn")
            let after = try await counts(app, patron)
            XCTAssertEqual(after.identities, 0, "the Taipei Pass identity is removed, as 停用 removes it")
            XCTAssertEqual(after.activeLinks, 0)
            let link = try await PartnerLink.query(on: app.db).filter(\.$patron.$id == patron.requireID()).first()
            XCTAssertEqual(link?.status, .withdrawn)
            let actions = try await AuditEvent.query(on: app.db).filter(\.$action ~~ ["consent.renewal_declined", "partner_link.disabled", "consent.renewed"])
                .all().map(\.action).sorted()
            XCTAssertEqual(actions, ["consent.renewal_declined", "partner_link.disabled"])

            let again = TestBrowser(app)
            let back = try await again.get(try await ProviderUser(client: app.client).authorize(try await startSignIn(again), as: subject))
            XCTAssertEqual(back.headers.first(name: .location), "/login?taipei_pass=not_linked")
        }
    }

    func testSignInWithAnAccountNoCardIsLinkedWithSaysHowToLinkIt() async throws {
        let provider = try await Self.provider()
        try await withTaipeiPass(provider) { app in
            _ = try await signedInReader(app)
            let browser = TestBrowser(app)
            let back = try await browser.get(try await ProviderUser(client: app.client).authorize(try await startSignIn(browser), as: "stranger-\(UUID())"))
            XCTAssertEqual(back.headers.first(name: .location), "/login?taipei_pass=not_linked")
            let page = try await browser.get("/login?taipei_pass=not_linked").text
            XCTAssertTrue(page.contains(#"role="alert""#))
            XCTAssertTrue(page.contains("這個台北通帳號尚未與借閱證結合。請先以借閱證號或身分證字號登入，到「我的帳戶 → 合作館服務」啟用「與台北通結合」"))
            let homeLocation = try await browser.get("/account/home").headers.first(name: .location)
            XCTAssertEqual(homeLocation, "/login", "not signed in")
            browser.acceptLanguage = "en"
            let english = try await browser.get("/login?taipei_pass=not_linked&lang=en").text
            XCTAssertTrue(english.contains("This Taipei Pass account is not linked with a library card yet."))
        }
    }

    func testDisablingWithdrawsTheConsentAndTheAccountNoLongerSignsIn() async throws {
        let provider = try await Self.provider()
        try await withTaipeiPass(provider) { app in
            let (browser, patron) = try await signedInReader(app)
            let subject = "citizen-\(UUID())"
            try await link(app, browser, as: subject, provider: provider)
            try await browser.get("/account/partners/TAIPEI_PASS/disable")
            let disabled = try await browser.post("/account/partners/TAIPEI_PASS/disable", form: ["confirm": "yes"])
            XCTAssertEqual(disabled.headers.first(name: .location), "/account/partners?disabled=1")
            let after = try await counts(app, patron)
            XCTAssertEqual(after.identities, 0, "the identity link is removed")
            XCTAssertEqual(after.activeLinks, 0)
            let link = try await PartnerLink.query(on: app.db).with(\.$consentRecord).first()
            XCTAssertEqual(link?.status, .withdrawn)
            XCTAssertNotNil(link?.consentRecord.withdrawnAt)

            let other = TestBrowser(app)
            let back = try await other.get(try await ProviderUser(client: app.client).authorize(try await startSignIn(other), as: subject))
            XCTAssertEqual(back.headers.first(name: .location), "/login?taipei_pass=not_linked")

            // Linking again works, with a new consent record.
            try await browser.get("/account/partners")
            try await self.link(app, browser, as: subject, provider: provider)
            let relinked = try await counts(app, patron)
            XCTAssertEqual(relinked.identities, 1)
            XCTAssertEqual(relinked.cityConsents, 3)
        }
    }

    func testWithdrawingTheConsentOrErasingTheCardEndsTheLink() async throws {
        let provider = try await Self.provider()
        try await withTaipeiPass(provider) { app in
            let (browser, patron) = try await signedInReader(app)
            let subject = "citizen-\(UUID())"
            try await link(app, browser, as: subject, provider: provider)
            // 我的帳戶 → the consent's 撤回 is the same as 停用.
            let record = try await XCTUnwrapAsync(await PartnerLink.query(on: app.db).filter(\.$patron.$id == patron.requireID()).first())
            try await browser.get("/account")
            let withdrawn = try await browser.post("/account/consents/\(record.$consentRecord.id.uuidString)/withdraw", form: [:])
            XCTAssertEqual(withdrawn.status, .seeOther)
            let afterWithdrawal = try await counts(app, patron)
            XCTAssertEqual(afterWithdrawal.identities, 0)
            XCTAssertEqual(afterWithdrawal.activeLinks, 0)

            // Linked again, then erased at the reader's request: the Taipei Pass account signs in to nothing.
            try await browser.get("/account/partners")
            try await link(app, browser, as: subject, provider: provider)
            try await browser.get("/account/requests/deletion")
            try await browser.post("/account/requests/deletion", form: ["currentPassword": "river lantern mango"])
            let request = try await XCTUnwrapAsync(await PatronRequest.query(on: app.db).filter(\.$kind == .deletion).first())
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            try await admin.get("/staff/requests")
            let approved = try await admin.post("/staff/requests/\(request.id!.uuidString)", form: ["decision": "approve"])
            XCTAssertEqual(approved.status, .seeOther)
            let afterErasure = try await counts(app, patron)
            XCTAssertEqual(afterErasure.identities, 0)
            let stranger = TestBrowser(app)
            let back = try await stranger.get(try await ProviderUser(client: app.client).authorize(try await startSignIn(stranger), as: subject))
            XCTAssertEqual(back.headers.first(name: .location), "/login?taipei_pass=not_linked")
        }
    }

    func testOneTaipeiPassAccountLinksWithOneCardOnly() async throws {
        let provider = try await Self.provider()
        try await withTaipeiPass(provider) { app in
            let (first, _) = try await signedInReader(app)
            let (second, secondPatron) = try await signedInReader(app, idNumber: nationalID(2))
            let subject = "citizen-\(UUID())"
            try await link(app, first, as: subject, provider: provider)
            let before = try await counts(app, secondPatron)

            let back = try await second.get(try await ProviderUser(client: app.client).authorize(try await agreeToLink(second), as: subject))
            XCTAssertEqual(back.headers.first(name: .location), "/account/partners?taipei_pass=linked_elsewhere")
            let page = try await second.get("/account/partners?taipei_pass=linked_elsewhere").text
            XCTAssertTrue(page.contains("這個台北通帳號已與另一張借閱證結合"))
            let after = try await counts(app, secondPatron)
            XCTAssertEqual(after.identities, before.identities)
            XCTAssertEqual(after.activeLinks, before.activeLinks)
            XCTAssertEqual(after.cityConsents, before.cityConsents, "no consent record without the link")
            let refused = try await AuditEvent.query(on: app.db).filter(\.$action == "partner_link.refused").count()
            XCTAssertEqual(refused, 1)

            // The database itself refuses a second card for the account, whatever the code checked before.
            let duplicate = TaipeiPassIdentity(patronID: try secondPatron.requireID(), issuer: provider.issuer, subject: subject, linkedAt: Date())
            do {
                try await duplicate.create(on: app.db)
                XCTFail("(issuer, subject) is unique")
            } catch let error as any DatabaseError {
                XCTAssertTrue(error.isConstraintFailure, "\(error)")
            }
        }
    }

    // MARK: Refusals

    func testCancellingAtTheProviderChangesNothing() async throws {
        let provider = try await Self.provider()
        try await withTaipeiPass(provider) { app in
            let (browser, patron) = try await signedInReader(app)
            let before = try await counts(app, patron)
            // An error answer carrying a state that is not this request's is not believed.
            _ = try await agreeToLink(browser)
            let forged = try await browser.get(SiteURL.taipeiPassCallback.path + "?error=access_denied&state=\(PendingAuthorization.randomToken())")
            XCTAssertEqual(forged.headers.first(name: .location), "/account/partners?taipei_pass=expired_request")

            // The reader presses Deny at the provider.
            let callback = try await ProviderUser(client: app.client).authorize(try await agreeToLink(browser), as: "", deny: true)
            XCTAssertEqual(query(callback)["error"], "access_denied")
            let back = try await browser.get(callback)
            XCTAssertEqual(back.headers.first(name: .location), "/account/partners?taipei_pass=cancelled")
            let cancelShown = try await browser.get("/account/partners?taipei_pass=cancelled").text.contains("您已在台北通取消授權，沒有做任何變更。")
            XCTAssertTrue(cancelShown)
            let after = try await counts(app, patron)
            XCTAssertEqual(after.identities, before.identities)
            XCTAssertEqual(after.cityConsents, before.cityConsents)
            XCTAssertEqual(after.activeLinks, before.activeLinks)

            let visitor = TestBrowser(app)
            let denied = try await visitor.get(try await ProviderUser(client: app.client).authorize(try await startSignIn(visitor), as: "", deny: true))
            XCTAssertEqual(denied.headers.first(name: .location), "/login?taipei_pass=cancelled")
        }
    }

    func testAWrongStateIsRefusedAndSpendsTheRequest() async throws {
        let provider = try await Self.provider()
        try await withTaipeiPass(provider) { app in
            let (browser, patron) = try await signedInReader(app)
            let callback = try await ProviderUser(client: app.client).authorize(try await agreeToLink(browser), as: "citizen-\(UUID())")
            let state = try XCTUnwrap(query(callback)["state"])
            let forged = callback.replacingOccurrences(of: state, with: PendingAuthorization.randomToken())
            let refused = try await browser.get(forged)
            XCTAssertEqual(refused.headers.first(name: .location), "/account/partners?taipei_pass=expired_request")
            let expiredShown = try await browser.get("/account/partners?taipei_pass=expired_request").text.contains("這次台北通驗證已失效或已使用過")
            XCTAssertTrue(expiredShown)
            // The genuine answer no longer finds its request either: one callback per request.
            let genuine = try await browser.get(callback)
            XCTAssertEqual(genuine.headers.first(name: .location), "/account/partners?taipei_pass=expired_request")
            let identities = try await counts(app, patron).identities
            XCTAssertEqual(identities, 0)

            // A callback planted in a browser that started nothing (login CSRF) signs no one in.
            let other = try await ProviderUser(client: app.client).authorize(try await startSignIn(TestBrowser(app)), as: "citizen-\(UUID())")
            let victim = TestBrowser(app)
            let planted = try await victim.get(other)
            XCTAssertEqual(planted.headers.first(name: .location), "/login?taipei_pass=expired_request")
        }
    }

    func testAReaderWhoSignedOutBeforeComingBackLinksNothing() async throws {
        let provider = try await Self.provider()
        try await withTaipeiPass(provider) { app in
            let (browser, patron) = try await signedInReader(app)
            let authorizationURL = try await agreeToLink(browser)
            // Someone else signs in on the same browser while the first reader is at the provider.
            let other = try await activateCard(app, try await submitApplication(app, idNumber: nationalID(3)))
            try await browser.post("/login", form: ["identifier": other.cardNumber!, "password": "river lantern mango"])
            let back = try await browser.get(try await ProviderUser(client: app.client).authorize(authorizationURL, as: "citizen-\(UUID())"))
            XCTAssertEqual(back.headers.first(name: .location), "/account/partners?taipei_pass=expired_request",
                           "signing in starts a new session, so the request is gone")
            let patronIdentities = try await counts(app, patron).identities
            XCTAssertEqual(patronIdentities, 0)
            let otherIdentities = try await counts(app, other).identities
            XCTAssertEqual(otherIdentities, 0)
        }
    }

    func testACallbackWorksOnceAndTheProviderRefusesAReplayedCode() async throws {
        let provider = try await Self.provider()
        try await withTaipeiPass(provider) { app in
            let (browser, patron) = try await signedInReader(app)
            let subject = "citizen-\(UUID())"
            let callback = try await ProviderUser(client: app.client).authorize(try await agreeToLink(browser), as: subject)
            let linkedLocation = try await browser.get(callback).headers.first(name: .location)
            XCTAssertEqual(linkedLocation, "/account/partners/TAIPEI_PASS/done")
            let linked = try await counts(app, patron)

            let replay = try await browser.get(callback)
            XCTAssertEqual(replay.headers.first(name: .location), "/account/partners?taipei_pass=expired_request")

            // The same code under a fresh request of this session: OneCard asks, the provider refuses.
            try await browser.post("/account/partners/TAIPEI_PASS/disable", form: ["confirm": "yes"])
            let fresh = try await agreeToLink(browser)
            let code = try XCTUnwrap(query(callback)["code"])
            let freshState = try XCTUnwrap(query(fresh)["state"])
            let replayedCode = try await browser.get("/login/taipei-pass/callback?code=\(code)&state=\(freshState)")
            XCTAssertEqual(replayedCode.headers.first(name: .location), "/account/partners?taipei_pass=token_failed")
            let failureShown = try await browser.get("/account/partners?taipei_pass=token_failed").text.contains("無法向台北通確認驗證結果")
            XCTAssertTrue(failureShown)
            let after = try await counts(app, patron)
            XCTAssertEqual(after.identities, 0, "still unlinked after the refused replay")
            XCTAssertEqual(after.cityConsents, linked.cityConsents)
        }
    }

    /// A code issued to one browser, injected into another browser's callback: the second browser's PKCE
    /// verifier does not match the first one's challenge, and the provider refuses the exchange.
    func testAStolenCodeFailsPKCEAtTheProvider() async throws {
        let provider = try await Self.provider()
        try await withTaipeiPass(provider) { app in
            let (owner, _) = try await signedInReader(app)
            let subject = "citizen-\(UUID())"
            try await link(app, owner, as: subject, provider: provider)

            let victim = TestBrowser(app)
            let stolen = try await ProviderUser(client: app.client).authorize(try await startSignIn(victim), as: subject)
            let attacker = TestBrowser(app)
            let attackerURL = try await startSignIn(attacker)
            let attackerState = try XCTUnwrap(query(attackerURL)["state"])
            let injected = try await attacker.get("/login/taipei-pass/callback?code=\(try XCTUnwrap(query(stolen)["code"]))&state=\(attackerState)")
            XCTAssertEqual(injected.headers.first(name: .location), "/login?taipei_pass=token_failed")
            let attackerHome = try await attacker.get("/account/home").headers.first(name: .location)
            XCTAssertEqual(attackerHome, "/login", "not signed in")
        }
    }

    /// The same injection at a provider that does not check PKCE: the token comes back, but it carries the
    /// first browser's nonce, and OneCard refuses it.
    func testAnIDTokenForAnotherRequestsNonceIsRefused() async throws {
        let provider = try await Self.provider(["--no-pkce"])
        try await withTaipeiPass(provider) { app in
            let (owner, _) = try await signedInReader(app)
            let subject = "citizen-\(UUID())"
            try await link(app, owner, as: subject, provider: provider)

            let stolen = try await ProviderUser(client: app.client).authorize(try await startSignIn(TestBrowser(app)), as: subject)
            let attacker = TestBrowser(app)
            let attackerURL = try await startSignIn(attacker)
            let attackerState = try XCTUnwrap(query(attackerURL)["state"])
            let injected = try await attacker.get("/login/taipei-pass/callback?code=\(try XCTUnwrap(query(stolen)["code"]))&state=\(attackerState)")
            XCTAssertEqual(injected.headers.first(name: .location), "/login?taipei_pass=invalid_token")
            let invalidShown = try await attacker.get("/login?taipei_pass=invalid_token").text.contains("台北通回傳的身分資料未通過檢查")
            XCTAssertTrue(invalidShown)
            let attackerHome = try await attacker.get("/account/home").headers.first(name: .location)
            XCTAssertEqual(attackerHome, "/login")
        }
    }

    func testAnExpiredIDTokenIsRefused() async throws {
        let provider = try await Self.provider(["--token-max-age", "1"])
        let clock = WallClock()
        try await withTaipeiPass(provider, clock: clock) { app in
            let (browser, patron) = try await signedInReader(app)
            let callback = try await ProviderUser(client: app.client).authorize(try await agreeToLink(browser), as: "citizen-\(UUID())")
            clock.advance(by: 120) // past exp (1 s) and the 60 s skew, within the 10-minute request lifetime
            let back = try await browser.get(callback)
            XCTAssertEqual(back.headers.first(name: .location), "/account/partners?taipei_pass=invalid_token")
            let identities = try await counts(app, patron).identities
            XCTAssertEqual(identities, 0)
        }
    }

    func testAnIDTokenIssuedInTheFutureIsRefused() async throws {
        let provider = try await Self.provider()
        // OneCard's clock five minutes behind the provider's.
        try await withTaipeiPass(provider, clock: WallClock(offset: -300)) { app in
            let (browser, patron) = try await signedInReader(app)
            let back = try await browser.get(try await ProviderUser(client: app.client).authorize(try await agreeToLink(browser), as: "citizen-\(UUID())"))
            XCTAssertEqual(back.headers.first(name: .location), "/account/partners?taipei_pass=invalid_token")
            let identities = try await counts(app, patron).identities
            XCTAssertEqual(identities, 0)
        }
    }

    func testARequestOlderThanTenMinutesIsRefused() async throws {
        let provider = try await Self.provider()
        let clock = WallClock()
        try await withTaipeiPass(provider, clock: clock) { app in
            let browser = TestBrowser(app)
            let callback = try await ProviderUser(client: app.client).authorize(try await startSignIn(browser), as: "citizen-\(UUID())")
            clock.advance(by: 601)
            let expiredLocation = try await browser.get(callback).headers.first(name: .location)
            XCTAssertEqual(expiredLocation, "/login?taipei_pass=expired_request")
        }
    }

    func testAWrongClientSecretFailsAtTheTokenEndpointAndChangesNothing() async throws {
        let provider = try await Self.provider(["--require-registration"])
        let registrar = try await withClient { try await provider.registerClient(
            redirectURI: TaipeiPassTestSettings.baseURL + SiteURL.taipeiPassCallback.path, using: $0) }
        try await withTaipeiPass(provider, clientID: registrar.id, secret: registrar.secret + "-wrong") { app in
            let (browser, patron) = try await signedInReader(app)
            let back = try await browser.get(try await ProviderUser(client: app.client).authorize(try await agreeToLink(browser), as: "citizen-\(UUID())"))
            XCTAssertEqual(back.headers.first(name: .location), "/account/partners?taipei_pass=token_failed")
            let after = try await counts(app, patron)
            XCTAssertEqual(after.identities, 0)
            XCTAssertEqual(after.cityConsents, 1)
        }
    }

    func testAnUnreachableProviderIsReportedWhenStartingAndAtTheCallback() async throws {
        // Nothing listens on the configured issuer.
        let closed = try await HandMadeProvider.start()
        let closedIssuer = closed.issuer
        try await closed.stop()
        try await withTestApp(adjust: { TaipeiPassTestSettings.configure(&$0, issuer: closedIssuer) }) { app in
            let (browser, patron) = try await signedInReader(app)
            let agreed = try await agreeToLink(browser)
            XCTAssertEqual(agreed, "/account/partners?taipei_pass=unavailable")
            let unavailableShown = try await browser.get(agreed).text.contains("目前無法連線至台北通")
            XCTAssertTrue(unavailableShown)
            let visitor = TestBrowser(app)
            try await visitor.get("/login")
            let started = try await visitor.post("/login/taipei-pass", form: [:])
            XCTAssertEqual(started.headers.first(name: .location), "/login?taipei_pass=unavailable")
            let identities = try await counts(app, patron).identities
            XCTAssertEqual(identities, 0)
        }

        // A provider that goes away between the authorization and the code exchange.
        let vanishing = try await OIDCProviderProcess.start()
        try await withTaipeiPass(vanishing) { app in
            let (browser, patron) = try await signedInReader(app)
            let callback = try await ProviderUser(client: app.client).authorize(try await agreeToLink(browser), as: "citizen-\(UUID())")
            await vanishing.stop()
            let back = try await browser.get(callback)
            XCTAssertEqual(back.headers.first(name: .location), "/account/partners?taipei_pass=token_failed")
            let identities = try await counts(app, patron).identities
            XCTAssertEqual(identities, 0)
        }
    }

    func testNoCodeStateNonceVerifierOrTokenReachesTheLog() async throws {
        let provider = try await Self.provider()
        let lines = NIOLockedValueBox<[String]>([])
        let secrets = NIOLockedValueBox<[String]>([])
        try await withTaipeiPass(provider) { app in
            app.logger = Logger(label: "capture") { label in
                OneCardLogHandler(label: label, level: .trace) { line in lines.withLockedValue { $0.append(line) } }
            }
            let (browser, _) = try await signedInReader(app)
            let subject = "citizen-\(UUID())"
            let authorizationURL = try await agreeToLink(browser)
            let callback = try await ProviderUser(client: app.client).authorize(authorizationURL, as: subject)
            let linkedLocation = try await browser.get(callback).headers.first(name: .location)
            XCTAssertEqual(linkedLocation, "/account/partners/TAIPEI_PASS/done")
            let sent = query(authorizationURL), returned = query(callback)
            secrets.withLockedValue { $0 = [sent["state"]!, sent["nonce"]!, sent["code_challenge"]!, returned["code"]!] }
            // A refused callback logs why, still without the values.
            try await browser.get(callback)
        }
        let all = lines.withLockedValue { $0 }.joined(separator: "\n")
        XCTAssertTrue(all.contains("Taipei Pass callback refused"), "the refusal is logged")
        XCTAssertTrue(all.contains("/login/taipei-pass/callback"), "the request is logged")
        for secret in secrets.withLockedValue({ $0 }) {
            XCTAssertFalse(all.contains(secret), "\(secret) is in the log")
        }
        XCTAssertFalse(all.contains("eyJ"), "no JWT in the log")
    }

    /// A throwaway HTTP client for talking to a provider before an app exists.
    func withClient<T>(_ body: (any Client) async throws -> T) async throws -> T {
        let app = try await Application.make(.testing)
        do {
            let result = try await body(app.client)
            try await app.asyncShutdown()
            return result
        } catch {
            try await app.asyncShutdown()
            throw error
        }
    }
}
