import Fluent
import Foundation
import XCTVapor
@testable import App

/// What a visitor who only reads pages costs (#13 item 1): no session, fingerprinted assets that browsers
/// keep, and a consortium directory read once rather than for every visit.
final class AnonymousPagesTests: XCTestCase {
    /// Choosing a language with `?lang=` is remembered in a session (SiteTests); a browser that asks for
    /// English with Accept-Language needs none.
    func testAVisitorWhoOnlyReadsPagesGetsNoSessionRow() async throws {
        try await withTestApp { app in
            let browser = TestBrowser(app)
            browser.acceptLanguage = "en"
            let html = try await browser.get("/").text
            let css = try XCTUnwrap(html.firstMatch(of: /href="(\/css\/site\.css\?v=[0-9a-f]{16})"/)?.1).description
            for path in ["/", "/api/v1/libraries", "/api/v1/libraries/TPML", css, "/css/site.css", "/js/site.js", "/healthz", "/nope", "/staff/nope"] {
                let response = try await browser.get(path)
                XCTAssertNotEqual(response.status, .internalServerError, path)
                XCTAssertFalse(response.headers[.setCookie].contains { $0.hasPrefix("onecard_session=") }, path)
            }
            XCTAssertNil(browser.cookies["onecard_session"])
            let sessions = try await WebSession.query(on: app.db).count()
            XCTAssertEqual(sessions, 0)
            let home = try await browser.get("/")
            XCTAssertEqual(home.headers.first(name: .contentLanguage), "en")
            XCTAssertTrue(home.text.contains("Taipei Public Library"))
        }
    }

    /// Opening a form or choosing a language with `?lang=` costs no session row either: the form's CSRF token
    /// is the visitor's signed cookie's (`AnonymousCSRFCookie`), the language a cookie of its own.
    func testAVisitorWhoOpensFormsOrChoosesALanguageGetsNoSessionRow() async throws {
        try await withTestApp { app in
            let browser = TestBrowser(app)
            for path in ["/?lang=en", "/", "/digital-card", "/group-application"] {
                let response = try await browser.get(path)
                XCTAssertEqual(response.status, .ok, path)
                XCTAssertEqual(response.headers.first(name: .contentLanguage), "en", path)
                XCTAssertFalse(response.headers[.setCookie].contains { $0.hasPrefix("onecard_session=") }, path)
            }
            XCTAssertEqual(browser.cookies["onecard_lang"], "en")
            var tokens: Set<String> = []
            for path in ["/apply", "/login", "/login/forgot", "/group-application/apply", "/staff/login", "/apply?lang=zh-TW"] {
                let response = try await browser.get(path)
                XCTAssertEqual(response.status, .ok, path)
                XCTAssertFalse(response.headers[.setCookie].contains { $0.hasPrefix("onecard_session=") }, path)
                let token = try XCTUnwrap(TestBrowser.csrfToken(in: response.text), "\(path) shows a form")
                tokens.insert(token)
                // The page holds this visitor's token: no cache may keep it for another.
                XCTAssertEqual(response.headers.first(name: .cacheControl), "no-store", path)
            }
            XCTAssertEqual(tokens.count, 1, "one visitor, one token")
            XCTAssertNotNil(browser.cookies["onecard_csrf"])
            XCTAssertNil(browser.cookies["onecard_session"])
            let sessions = try await WebSession.query(on: app.db).count()
            XCTAssertEqual(sessions, 0)
            let chosen = try await browser.get("/")
            XCTAssertEqual(chosen.headers.first(name: .contentLanguage), "zh-TW", "the last choice is kept")
        }
    }

    /// The anonymous token protects a form as the session's did: a post without it, with a made-up one, with
    /// another visitor's, or with the right one but not its cookie is refused before anything happens.
    func testAnAnonymousFormRefusesAMissingForgedOrOtherVisitorsToken() async throws {
        try await withTestApp { app in
            let patron = try await activateCard(app, try await submitApplication(app))
            let credentials = ["identifier": patron.cardNumber!, "password": "river lantern mango"]
            let visitor = TestBrowser(app), other = TestBrowser(app)
            try await visitor.get("/login")
            let own = try XCTUnwrap(visitor.lastCSRFToken)
            try await other.get("/login")
            let others = try XCTUnwrap(other.lastCSRFToken)
            XCTAssertNotEqual(own, others)
            let forged = String(own.reversed())
            for (label, token) in [("missing", ""), ("forged", forged), ("another visitor's", others),
                                   ("a cookie's value", try XCTUnwrap(visitor.cookies["onecard_csrf"]))] {
                let response = try await visitor.post("/login", form: credentials, csrf: token)
                XCTAssertEqual(response.status, .forbidden, label)
                XCTAssertNil(visitor.cookies["onecard_session"], label)
            }
            // The right token without its cookie (a page read by someone else, replayed from elsewhere).
            let stranger = TestBrowser(app)
            let replayed = try await stranger.post("/login", form: credentials, csrf: own)
            XCTAssertEqual(replayed.status, .forbidden)
            let sessions = try await WebSession.query(on: app.db).count()
            XCTAssertEqual(sessions, 0, "no sign-in went through")

            let signedIn = try await visitor.post("/login", form: credentials, csrf: own)
            XCTAssertEqual(signedIn.status, .seeOther)
            // Signed in, the session has a random token of its own: the cookie's no longer serves.
            try await visitor.get("/account")
            let sessionToken = try XCTUnwrap(visitor.lastCSRFToken)
            XCTAssertNotEqual(sessionToken, own)
            let withCookieToken = try await visitor.post("/logout", form: [:], csrf: own)
            XCTAssertEqual(withCookieToken.status, .forbidden)
            let signedOut = try await visitor.post("/logout", form: [:], csrf: sessionToken)
            XCTAssertEqual(signedOut.status, .seeOther)
        }
    }

    /// A public page is rendered once for everyone without a session (`RenderedPageCache`), but each visitor
    /// gets their own CSRF token in it, and a signed-in reader gets their own page.
    func testVisitorsShareARenderedPageButNeverATokenAndASignedInReaderGetsTheirOwnPage() async throws {
        try await withTestApp { app in
            let first = TestBrowser(app), second = TestBrowser(app)
            let firstPage = try await first.get("/login").text
            let secondPage = try await second.get("/login").text
            XCTAssertGreaterThan(app.renderedPages.count, 0, "the page was kept")
            let firstToken = try XCTUnwrap(first.lastCSRFToken), secondToken = try XCTUnwrap(second.lastCSRFToken)
            XCTAssertNotEqual(firstToken, secondToken)
            XCTAssertFalse(secondPage.contains(firstToken), "no visitor is shown another's token")
            XCTAssertEqual(firstPage.replacingOccurrences(of: firstToken, with: "TOKEN"),
                           secondPage.replacingOccurrences(of: secondToken, with: "TOKEN"))
            // The kept page's token is the second visitor's own: their form posts (a wrong password, not a 403).
            let post = try await second.post("/login", form: ["identifier": "1001000000015", "password": "wrong"])
            XCTAssertNotEqual(post.status, .forbidden)

            let (reader, _) = try await signedInReader(app)
            let home = try await reader.get("/").text
            XCTAssertTrue(home.contains(#"class="my-home""#), "a signed-in reader sees their own header")
            let anonymousHome = try await TestBrowser(app).get("/").text
            XCTAssertFalse(anonymousHome.contains(#"class="my-home""#))
            let again = try await reader.get("/").text
            XCTAssertTrue(again.contains(#"class="my-home""#))
        }
    }

    func testPagesLinkFingerprintedAssetsThatBrowsersKeepForAYear() async throws {
        try await withTestApp { app in
            let browser = TestBrowser(app)
            let html = try await browser.get("/").text
            let css = try XCTUnwrap(html.firstMatch(of: /href="(\/css\/site\.css\?v=[0-9a-f]{16})"/)?.1).description
            let js = try XCTUnwrap(html.firstMatch(of: /src="(\/js\/site\.js\?v=[0-9a-f]{16})"/)?.1).description
            for (link, type) in [(css, "text/css"), (js, "application/javascript")] {
                let response = try await browser.get(link)
                XCTAssertEqual(response.status, .ok)
                XCTAssertEqual(response.headers.contentType?.description.hasPrefix(type), true, link)
                XCTAssertEqual(response.headers.first(name: .cacheControl), "public, max-age=31536000, immutable")
                let etag = try XCTUnwrap(response.headers.first(name: .eTag))
                XCTAssertNotNil(response.headers.first(name: .lastModified))
                XCTAssertFalse(response.body.readableBytes == 0)
                let again = try await browser.get(link, headers: ["If-None-Match": etag])
                XCTAssertEqual(again.status, .notModified)
                XCTAssertEqual(again.body.readableBytes, 0)
            }
            // The same file under its plain name, or an old fingerprint, is revalidated every time.
            for link in ["/css/site.css", "/css/site.css?v=0000000000000000"] {
                let plain = try await browser.get(link)
                XCTAssertEqual(plain.status, .ok)
                XCTAssertEqual(plain.headers.first(name: .cacheControl), "no-cache", link)
                XCTAssertNotNil(plain.headers.first(name: .eTag))
            }
        }
    }

    /// The directory is read once: a change in the database (as another process makes it) shows after the
    /// cache's lifetime, not on the next request; `invalidate()` shows it at once.
    func testTheHomePageReadsTheConsortiumDirectoryOnceAndSeesAChangeAfterItsLifetime() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let browser = TestBrowser(app)
            browser.acceptLanguage = "en"
            func page(_ path: String) async throws -> String { try await browser.get(path).text }
            let first = try await page("/")
            XCTAssertTrue(first.contains("Taipei Public Library"))
            let found = try await Library.query(on: app.db).filter(\.$code == "TPML").first()
            let library = try XCTUnwrap(found)
            library.nameEN = "Taipei Municipal Lending Library"
            try await library.save(on: app.db)
            let soon = try await page("/")
            XCTAssertTrue(soon.contains("Taipei Public Library"), "kept")
            let api = try await page("/api/v1/libraries")
            XCTAssertFalse(api.contains("Taipei Municipal Lending Library"))
            clock.advance(by: ConsortiumDirectory.lifetime + 1)
            let later = try await page("/")
            XCTAssertTrue(later.contains("Taipei Municipal Lending Library"))
            let laterAPI = try await page("/api/v1/libraries/TPML")
            XCTAssertTrue(laterAPI.contains("Taipei Municipal Lending Library"))

            library.nameEN = "Taipei Public Library"
            try await library.save(on: app.db)
            app.consortiumDirectory.invalidate()
            let afterInvalidation = try await page("/")
            XCTAssertTrue(afterInvalidation.contains("Taipei Public Library"))
        }
    }
}
