import Foundation
import XCTVapor
@testable import App

final class SiteTests: XCTestCase {
    static let libraryNamesZH = ["臺北市立圖書館", "新北市立圖書館", "基隆市公共圖書館", "新竹縣公共圖書館", "國立公共資訊圖書館", "臺中市立圖書館"]

    func testHomePageNamesTheConsortiumAndLeadsToEveryServiceInTraditionalChinese() async throws {
        try await withTestApp { app in
            let response = try await TestBrowser(app).get("/")
            XCTAssertEqual(response.status, .ok)
            XCTAssertEqual(response.headers.first(name: .contentLanguage), "zh-TW")
            let html = response.text
            XCTAssertTrue(html.contains(#"<html lang="zh-Hant-TW">"#))
            for name in Self.libraryNamesZH {
                XCTAssertTrue(html.contains(name), "home page should name \(name)")
            }
            for (label, path) in [("網路辦證", "/apply"), ("數位借閱證", "/digital-card"), ("集體辦證", "/group-application"), ("登入", "/login")] {
                XCTAssertTrue(html.contains(#"<a href="\#(path)">\#(label)</a>"#), "home page should link \(label) to \(path)")
            }
        }
    }

    func testEveryLinkOnTheHomePageAnswers() async throws {
        try await withTestApp { app in
            let browser = TestBrowser(app)
            let html = try await browser.get("/").text
            let regex = try NSRegularExpression(pattern: #"(?:href|src)="(/[^"]*)""#)
            let links = Set(regex.matches(in: html, range: NSRange(html.startIndex..., in: html)).map {
                String(html[Range($0.range(at: 1), in: html)!]).replacingOccurrences(of: "&amp;", with: "&")
            })
            XCTAssertGreaterThanOrEqual(links.count, 7)
            for link in links {
                let response = try await browser.get(link)
                XCTAssertEqual(response.status, .ok, "\(link) should answer")
            }
        }
    }

    func testServicePagesCarryTheSeedsRules() async throws {
        try await withTestApp { app in
            let digital = try await TestBrowser(app).get("/digital-card").text
            XCTAssertTrue(digital.contains("外籍人士無法辦理數位借閱證"))
            XCTAssertTrue(digital.contains("3 個工作天"))
            let group = try await TestBrowser(app).get("/group-application?lang=en").text
            XCTAssertTrue(group.contains("7–10 working days"))
        }
    }

    func testEnglishByQueryParameterIsRememberedInACookie() async throws {
        try await withTestApp { app in
            let browser = TestBrowser(app)
            let english = try await browser.get("/?lang=en")
            XCTAssertEqual(english.headers.first(name: .contentLanguage), "en")
            XCTAssertTrue(english.text.contains("Taipei Public Library"))
            XCTAssertTrue(english.text.contains(#"<html lang="en">"#))
            XCTAssertEqual(browser.cookies["onecard_lang"], "en", "the choice is kept in a cookie of its own")
            XCTAssertNil(browser.cookies["onecard_session"], "choosing a language starts no session (#13 item 1)")
            let next = try await browser.get("/")
            XCTAssertEqual(next.headers.first(name: .contentLanguage), "en")
            XCTAssertTrue(next.text.contains("Apply online"))
            let back = try await browser.get("/?lang=zh-TW")
            XCTAssertTrue(back.text.contains("網路辦證"))
            let awaited1 = try await browser.get("/").text.contains("網路辦證")
            XCTAssertTrue(awaited1)
        }
    }

    func testAcceptLanguagePicksEnglishWithoutASession() async throws {
        try await withTestApp { app in
            let browser = TestBrowser(app)
            browser.acceptLanguage = "en-US,en;q=0.9,zh-TW;q=0.5"
            let response = try await browser.get("/")
            XCTAssertEqual(response.headers.first(name: .contentLanguage), "en")
            XCTAssertTrue(response.text.contains("Apply online"))
            XCTAssertNil(browser.cookies["onecard_session"], "a plain visit must not create a session row")
            browser.acceptLanguage = "fr-FR, zh-Hant;q=0.8, en;q=0.3"
            let awaited2 = try await browser.get("/").headers.first(name: .contentLanguage)
            XCTAssertEqual(awaited2, "zh-TW")
        }
    }

    func testLanguageSwitchLinkPointsToTheSamePageInTheOtherLanguage() async throws {
        try await withTestApp { app in
            let html = try await TestBrowser(app).get("/digital-card").text
            XCTAssertTrue(html.contains(#"href="/digital-card?lang=en" lang="en" hreflang="en">English</a>"#))
        }
    }

    func testPagesCarrySecurityHeaders() async throws {
        try await withTestApp { app in
            for path in ["/", "/nope", "/api/v1/libraries", "/api/v1/nope", "/css/site.css"] {
                let response = try await TestBrowser(app).get(path)
                let csp = response.headers.first(name: "Content-Security-Policy") ?? ""
                XCTAssertTrue(csp.contains("frame-ancestors 'none'"), "\(path) CSP: \(csp)")
                XCTAssertTrue(csp.contains("script-src 'self'"), "\(path)")
                XCTAssertFalse(csp.contains("unsafe-inline"), "\(path)")
                XCTAssertEqual(response.headers.first(name: "X-Content-Type-Options"), "nosniff", path)
                XCTAssertEqual(response.headers.first(name: "X-Frame-Options"), "DENY", path)
            }
        }
    }

    func testTemplatesUseNoInlineScriptOrStyleThatTheCSPWouldBlock() throws {
        let views = Resources.path("Views")
        let files = FileManager.default.enumerator(atPath: views)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".leaf") }
        XCTAssertGreaterThanOrEqual(files.count, 8)
        for file in files {
            let text = try String(contentsOfFile: views + "/" + file, encoding: .utf8)
            XCTAssertFalse(text.contains("<script>"), "\(file) has an inline script")
            XCTAssertFalse(text.contains("style=\""), "\(file) has an inline style")
            XCTAssertFalse(text.range(of: #"\son[a-z]+="#, options: .regularExpression) != nil, "\(file) has an inline event handler")
        }
    }

    func testUnknownPageIsALocalizedHTMLPage() async throws {
        try await withTestApp { app in
            let zh = try await TestBrowser(app).get("/no-such-page")
            XCTAssertEqual(zh.status, .notFound)
            XCTAssertEqual(zh.headers.contentType?.subType, "html")
            XCTAssertTrue(zh.text.contains("<h1>找不到網頁</h1>"))
            let en = try await TestBrowser(app).get("/no-such-page?lang=en")
            XCTAssertTrue(en.text.contains("<h1>Page not found</h1>"))
        }
    }

    func testUnknownAPIRouteIsJSON() async throws {
        try await withTestApp { app in
            let response = try await TestBrowser(app).get("/api/v1/no-such-thing", headers: ["Accept-Language": "en"])
            XCTAssertEqual(response.status, .notFound)
            XCTAssertEqual(response.headers.contentType, .json)
            let error = try response.content.decode(APIErrorDTO.self)
            XCTAssertEqual(error.code, "not_found")
            XCTAssertEqual(error.message, "The page you are looking for does not exist or has been removed.")
        }
    }

    func testEveryTextExistsInBothLanguagesAndEveryTemplateKeyIsDefined() throws {
        let localizer = try Localizer.load(from: Resources.path("Localization"))
        let zh = localizer.keys(for: .zhTW), en = localizer.keys(for: .en)
        XCTAssertEqual(zh.subtracting(en), [], "keys missing in en.json")
        XCTAssertEqual(en.subtracting(zh), [], "keys missing in zh-TW.json")
        for key in zh {
            XCTAssertFalse(localizer.text(key, .zhTW).isEmpty, key)
            XCTAssertFalse(localizer.text(key, .en).isEmpty, key)
        }
        let views = Resources.path("Views")
        let keyPattern = try NSRegularExpression(pattern: #"#t\("([a-z0-9_.]+)""#)
        for file in FileManager.default.enumerator(atPath: views)!.compactMap({ $0 as? String }).filter({ $0.hasSuffix(".leaf") }) {
            let text = try String(contentsOfFile: views + "/" + file, encoding: .utf8)
            for match in keyPattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let key = String(text[Range(match.range(at: 1), in: text)!])
                XCTAssertTrue(zh.contains(key), "\(file) uses undefined text \(key)")
            }
        }
        for error in [OneCardError.csrfTokenInvalid, .staffSignInRequired, .staffRoleRequired, .notFound] {
            XCTAssertTrue(zh.contains(error.messageKey), error.messageKey)
        }
        for status in [400, 401, 403, 404, 405, 413, 415, 422, 429, 500, 503] {
            XCTAssertTrue(zh.contains("error." + ErrorPageMiddleware.code(for: .init(statusCode: status))), "\(status)")
        }
    }

    func testFormsAreAccessible() async throws {
        try await withTestApp { app in
            let html = try await TestBrowser(app).get("/staff/login").text
            // Every visible input has a label bound to it.
            let inputs = try NSRegularExpression(pattern: #"<input id="([^"]+)""#)
            let ids = inputs.matches(in: html, range: NSRange(html.startIndex..., in: html)).map { String(html[Range($0.range(at: 1), in: html)!]) }
            XCTAssertEqual(ids, ["email", "password"])
            for id in ids {
                XCTAssertTrue(html.contains(#"<label for="\#(id)">"#), "input \(id) needs a label")
            }
            XCTAssertTrue(html.contains(#"<main id="main""#))
            XCTAssertTrue(html.contains(##"<a class="skip-link" href="#main">"##))
            XCTAssertTrue(html.contains(#"<nav aria-label="#))
            XCTAssertTrue(html.contains(#"name="viewport" content="width=device-width, initial-scale=1""#))
        }
    }
}
