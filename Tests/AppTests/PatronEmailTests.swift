import Fluent
import Foundation
import XCTVapor
@testable import App

/// Issue #17 item 5: every email has a plain and an HTML part in the reader's language, comes in the
/// name of the library it concerns (from its own address and with its Reply-To when set), and gives the
/// links the reader needs: the branch list with opening hours, the sign-in page, a reset button.
final class PatronEmailTests: XCTestCase {
    static let captcha = "12345"

    func withApplyApp(_ body: (Application) async throws -> Void) async throws {
        try await withTestApp(clock: TestClock(), adjust: { $0.captchaTestAnswer = Self.captcha; $0.signInDelayUnit = 0.001 }, body)
    }

    /// Applies through the site, as a reader does, in `language`.
    func applyThroughTheSite(_ app: Application, language: String = "zh-TW") async throws {
        let browser = TestBrowser(app)
        if language == "en" { try await browser.get("/?lang=en") }
        try await browser.get("/apply")
        try await browser.post("/apply", form: ["agree": "yes"])
        try await browser.get("/apply/form")
        try await browser.get("/apply/captcha.png")
        let response = try await browser.post("/apply/form", form: CardApplicationTests.validForm())
        XCTAssertEqual(response.headers.first(name: .location), "/apply/done")
    }

    /// Delivers what is due to the mail drop and reads the delivered email whose stored subject contains `subject`.
    func delivered(_ app: Application, subject: String) async throws -> MailParts {
        try await app.outboxWorker.deliverDue()
        for row in try await OutboxMessage.query(on: app.db).filter(\.$kind == .email).all() {
            let message = try JSONDecoder().decode(MailMessage.self, from: Data(row.payload.utf8))
            if message.subject.contains(subject) {
                return try await MailParts.read(FileMailer(directory: app.settings.mailDropDirectory).path(for: message))
            }
        }
        struct NotSent: Error { let subject: String }
        throw NotSent(subject: subject)
    }

    var configuredAddress: String { "no-reply@onecard.localhost" }

    func testTheApplicationEmailHasBothPartsComesInTheLibrarysNameAndLinksItsBranches() async throws {
        try await withApplyApp { app in
            XCTAssertEqual(MailMessage.address(in: app.settings.mailFrom), configuredAddress)
            try await applyThroughTheSite(app)
            let mail = try await delivered(app, subject: "網路辦證申請成功")
            XCTAssertEqual(mail.contentType, "multipart/alternative")
            XCTAssertEqual(mail.parts, ["text/plain", "text/html"])
            XCTAssertEqual(mail.fromName, "臺北市立圖書館")
            XCTAssertEqual(mail.fromAddress, configuredAddress)
            XCTAssertNil(mail.replyTo)
            XCTAssertEqual(mail.htmlLanguage, "zh-Hant-TW")
            // The plain part gives the address, the HTML part a link with words.
            XCTAssertTrue(mail.plain.contains("各閱覽單位的地址與開放時間：\nhttps://tpml.gov.taipei/"), mail.plain)
            XCTAssertEqual(mail.link("查看各館地址與開放時間")?.href, "https://tpml.gov.taipei/", "\(mail.links)")
            let html = try XCTUnwrap(mail.html)
            XCTAssertTrue(html.contains("王小明 您好："), html)
            XCTAssertTrue(html.contains("請於服務時間內持有效證件至臺北市立圖書館任一閱覽單位服務臺完成辦證"), html)
        }
    }

    func testAnEnglishReaderGetsBothPartsInEnglishFromTheLibrarysEnglishName() async throws {
        try await withApplyApp { app in
            try await applyThroughTheSite(app, language: "en")
            let mail = try await delivered(app, subject: "Library card application received")
            XCTAssertEqual(mail.parts, ["text/plain", "text/html"])
            XCTAssertEqual(mail.fromName, "Taipei Public Library")
            XCTAssertEqual(mail.htmlLanguage, "en")
            XCTAssertTrue(mail.plain.hasPrefix("Dear 王小明,"), mail.plain)
            XCTAssertTrue(try XCTUnwrap(mail.html).contains("Dear 王小明,"))
            XCTAssertEqual(mail.link("Branches and opening hours")?.href, "https://tpml.gov.taipei/", "\(mail.links)")
        }
    }

    func testWithoutABranchPageTheApplicationEmailNamesTheServiceDesks() async throws {
        try await withApplyApp { app in
            let library = try await LibraryMailSettings.of(try await Library.require(code: "TPML", on: app.db), on: app.db)
            library.branchesURL = nil
            try await library.save(on: app.db)
            try await applyThroughTheSite(app)
            let mail = try await delivered(app, subject: "網路辦證申請成功")
            XCTAssertTrue(mail.plain.contains("各閱覽單位的地址與開放時間：\n總館、北投分館、中崙分館、西湖分館"), mail.plain)
            XCTAssertTrue(try XCTUnwrap(mail.html).contains("總館、北投分館、中崙分館、西湖分館"))
            XCTAssertNil(mail.link("查看各館地址與開放時間"))
        }
    }

    func testALibrarysOwnSenderAndReplyToAndTheActivationEmailsSignInLink() async throws {
        try await withApplyApp { app in
            let library = try await LibraryMailSettings.of(try await Library.require(code: "TPML", on: app.db), on: app.db)
            library.mailFrom = "no-reply@tpml.gov.taipei"
            library.mailReplyTo = "service@tpml.gov.taipei"
            try await library.save(on: app.db)
            try await activateCard(app, try await submitApplication(app))
            let mail = try await delivered(app, subject: "借閱證已開通")
            XCTAssertEqual(mail.fromName, "臺北市立圖書館")
            XCTAssertEqual(mail.fromAddress, "no-reply@tpml.gov.taipei")
            XCTAssertEqual(mail.replyTo, "service@tpml.gov.taipei")
            XCTAssertEqual(mail.parts, ["text/plain", "text/html"])
            let signIn = app.settings.baseURL.absoluteString + "/login"
            XCTAssertTrue(mail.plain.contains("登入一證通，可查看及管理您的借閱證：\n\n\(signIn)\n"), mail.plain)
            XCTAssertEqual(mail.link("登入一證通")?.href, signIn, "\(mail.links)")
            // The sign-in link is a page of the site that is there.
            let page = try await TestBrowser(app).get(URL(string: signIn)!.path)
            XCTAssertEqual(page.status, .ok)
        }
    }

    func testTheResetEmailHasAResetButtonInItsHTMLPartAndTheRawLinkInItsPlainPart() async throws {
        try await withApplyApp { app in
            let patron = try await activateCard(app, try await submitApplication(app))
            try await app.outboxWorker.deliverDue()
            let browser = TestBrowser(app)
            try await browser.get("/login/forgot")
            try await browser.post("/login/forgot", form: ["identifier": patron.cardNumber!])
            // The request is answered by the worker (it looks the card up), which queues the email.
            try await answerLinkRequests(app)
            let row = try await XCTUnwrapAsync(await OutboxMessage.query(on: app.db).filter(\.$kind == .email)
                .filter(\.$status == .pending).first())
            // Waiting: the HTML part too holds the placeholder, not the link.
            let stored = try JSONDecoder().decode(MailMessage.self, from: Data(row.payload.utf8))
            XCTAssertTrue(try XCTUnwrap(stored.html).contains("href=\"（連結已於寄出後移除）\""))
            XCTAssertFalse(row.payload.contains("token="), row.payload)

            let mail = try await delivered(app, subject: "一證通：重設密碼")
            XCTAssertEqual(mail.parts, ["text/plain", "text/html"])
            XCTAssertEqual(mail.fromName, "臺北市立圖書館")
            let path = try XCTUnwrap(linkPath("/login/reset", in: mail.plain), mail.plain)
            let button = try XCTUnwrap(mail.link("重設密碼"), "\(mail.links)")
            XCTAssertEqual(button.href, app.settings.baseURL.absoluteString + path)
            // The HTML part shows the words, not the long address.
            XCTAssertFalse(mail.links.contains { $0.text.contains("token=") }, "\(mail.links)")
            XCTAssertFalse(try XCTUnwrap(mail.html).contains("（連結已於寄出後移除）"))
            let form = try await TestBrowser(app).get(path)
            XCTAssertEqual(form.status, .ok)
            // Delivered: the stored copy keeps only the placeholder, in both parts.
            let after = try await XCTUnwrapAsync(await OutboxMessage.find(row.id, on: app.db))
            XCTAssertNil(after.secretsSealed)
            XCTAssertFalse(after.payload.contains("token="))
        }
    }

    func testTheHTMLPartEscapesWhatItQuotes() async throws {
        try await withTestApp { app in
            let row = try app.outbox.email(template: "card_suspended", to: "reader@example.org", locale: .en,
                                           values: ["name": "Ann <b>&</b>", "card": "10010000001", "reason": "<script>alert(1)</script>",
                                                    "library": "Taipei Public Library"])
            let html = try XCTUnwrap(try JSONDecoder().decode(MailMessage.self, from: Data(row.payload.utf8)).html)
            XCTAssertTrue(html.contains("Ann &lt;b&gt;&amp;&lt;/b&gt;"), html)
            XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), html)
            XCTAssertFalse(html.contains("<script>"), html)
        }
    }

    func testAGroupsEmailsComeInTheNameOfTheLibraryItAppliedTo() async throws {
        try await withTestApp { app in
            _ = try await GroupFixtures.approved(app)
            let record = try await XCTUnwrapAsync(await GroupApplicationRecord.query(on: app.db).with(\.$library).first())
            let mails = try await outboxMails(app)
            XCTAssertGreaterThanOrEqual(mails.count, 2, "received and approved")
            for mail in mails {
                XCTAssertEqual(mail.from, "\(record.library.name(in: record.siteLocale)) <\(configuredAddress)>", mail.subject)
                XCTAssertNotNil(mail.html, mail.subject)
            }
        }
    }
}
