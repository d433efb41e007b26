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
