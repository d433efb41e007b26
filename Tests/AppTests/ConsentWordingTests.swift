import Fluent
import Foundation
import XCTVapor
@testable import App

/// A missing consent is asked for by the statements' titles in the page's language, never by their codes,
/// and each path names (and records) its own library's statement: NLPI's on the digital card, also by
/// 自然人憑證; Taipei's two on the online application.
final class ConsentWordingTests: XCTestCase {
    static let codes = ["TPML_PRIVACY", "TAIPEI_CITY_ID", "NLPI_PRIVACY", "NTPL_LINK", "KLPL_LINK"]

    func withCertificateApp(_ ca: TestCertificateAuthority, _ body: (Application) async throws -> Void) async throws {
        try await withTestApp(clock: TestClock(Date()), adjust: {
            $0.citizenCertificateAnchors = [ca.path("ca.pem")]
            $0.citizenCertificateCRLs = [ca.path("ca.crl")]
        }, body)
    }

    func certificatePageIn(_ app: Application, lang: String? = nil) async throws -> (TestBrowser, Data) {
        let browser = TestBrowser(app)
        try await browser.get("/digital-card" + (lang.map { "?lang=\($0)" } ?? ""))
        try await browser.post("/digital-card", form: ["idNumber": "A123456789"])
        let page = try await browser.get("/digital-card/certificate")
        XCTAssertEqual(page.status, .ok)
        let marker = #"name="nonce" value=""#
        let start = try XCTUnwrap(page.text.range(of: marker)).upperBound
        return (browser, try XCTUnwrap(Data(base64Encoded: String(page.text[start...].prefix { $0 != "\"" }))))
    }

    func fields(agree: Bool, certificate: String = "", signature: String = "") -> [String: String] {
        var fields = ["name": "王小明", "birthDate": "1990-05-03", "email": "wang@example.org", "password": "river lantern mango",
                      "passwordConfirmation": "river lantern mango", "certificate": certificate, "signature": signature]
        if agree { fields["agree"] = "yes" }
        return fields
    }

    func post(_ app: Application, token: String, body: ByteBuffer, language: String = "zh-TW") async throws -> XCTHTTPResponse {
        var headers: HTTPHeaders = ["Content-Type": "application/json", "Accept-Language": language]
        headers.bearerAuthorization = .init(token: token)
        return try await app.testable().sendRequest(.POST, "/api/v1/card-applications", headers: headers, body: body)
    }

    func assertNoCodes(_ text: String, file: StaticString = #filePath, line: UInt = #line) {
        for code in Self.codes { XCTAssertFalse(text.contains(code), "\(code) shown to a person", file: file, line: line) }
    }

    func testTheCertificatePathAsksForNLPIsStatementByItsTitleAndRecordsIt() async throws {
        let ca = try await TestCertificateAuthority(name: "Test MOICA")
        let card = try await ca.card("王小明", serial: "C0FFEE11")
        try await withCertificateApp(ca) { app in
            let (browser, nonce) = try await certificatePageIn(app)
            let refused = try await browser.post("/digital-card/certificate", form: fields(agree: false))
            XCTAssertEqual(refused.status, .unprocessableEntity)
            XCTAssertTrue(refused.text.contains("必須同意「國立公共資訊圖書館數位借閱證個人資料蒐集、處理及利用告知事項」。"), refused.text)
            XCTAssertFalse(refused.text.contains("臺北市立圖書館讀者辦理"), "not Taipei's statement on NLPI's digital card")
            XCTAssertFalse(refused.text.contains("單一識別服務"))
            assertNoCodes(refused.text)

            // Agreed, with a good card: the consent recorded is NLPI's statement, in its current version.
            let signed = try await browser.get("/digital-card/certificate")
            let marker = #"name="nonce" value=""#
            let start = try XCTUnwrap(signed.text.range(of: marker)).upperBound
            let fresh = try XCTUnwrap(Data(base64Encoded: String(signed.text[start...].prefix { $0 != "\"" })))
            XCTAssertNotEqual(fresh, nonce)
            let done = try await browser.post("/digital-card/certificate", form: fields(
                agree: true, certificate: card.certificate, signature: try await ca.sign(fresh, key: card.key)))
            XCTAssertEqual(done.headers.first(name: .location), "/digital-card/done")
            let records = try await ConsentRecord.query(on: app.db).with(\.$document).all()
            XCTAssertEqual(records.map(\.document.code), ["NLPI_PRIVACY"])
            let current = try await ConsentDocument.current("NLPI_PRIVACY", at: app.clock.now(), on: app.db)
            XCTAssertEqual(records.first?.$document.id, current.id)
        }
    }

    func testInEnglishTheDigitalCardNamesTheStatementByItsEnglishTitle() async throws {
        let ca = try await TestCertificateAuthority(name: "Test MOICA")
        try await withCertificateApp(ca) { app in
            let (browser, _) = try await certificatePageIn(app, lang: "en")
            let refused = try await browser.post("/digital-card/certificate", form: fields(agree: false))
            XCTAssertEqual(refused.status, .unprocessableEntity)
            XCTAssertTrue(refused.text.contains(
                "You must accept “National Library of Public Information: personal data notice for digital library cards”."), refused.text)
            assertNoCodes(refused.text)
            // The documents path shows the same statement, and asks for it in the same words.
            let form = try await browser.postMultipart("/digital-card/form", fields: fields(agree: false), files: [:])
            XCTAssertEqual(form.status, .unprocessableEntity)
            XCTAssertTrue(form.text.contains("You must accept “National Library of Public Information"))
            assertNoCodes(form.text)
        }
    }

    func testTheOnlineApplicationAPINamesTaipeisStatementsByTheirTitles() async throws {
        try await withTestApp { app in
            let token = try await APIClients.create(name: "Kiosk", libraryCode: "TPML", scopes: [.cardApplications], database: app.db, now: app.clock.now())
            let body = CardApplicationAPITests.body(extra: ["acceptedConsents": ["TPML_PRIVACY"]])
            let response = try await post(app, token: token, body: body)
            XCTAssertEqual(response.status, .unprocessableEntity)
            let error = try XCTUnwrap(try response.content.decode(FieldErrorsDTO.self).errors.first)
            XCTAssertEqual(error.code, "consent_required")
            XCTAssertEqual(error.message, "必須同意「臺北市立圖書館讀者辦理圖書借閱證個人資料維護聲明」及「臺北市府單一識別服務個人資料蒐集、處理及利用同意書」。")
            assertNoCodes(error.message)
            let english = try await post(app, token: token, body: body, language: "en")
            let englishError = try XCTUnwrap(try english.content.decode(FieldErrorsDTO.self).errors.first)
            XCTAssertEqual(englishError.message, "You must accept “Taipei Public Library: personal data statement for library card applications” "
                           + "and “Taipei City single sign-on service: consent to collect, process and use personal data”.")
        }
    }
}
