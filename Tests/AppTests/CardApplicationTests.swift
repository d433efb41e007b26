import Fluent
import Foundation
import OneCardDomain
import SQLKit
import XCTVapor
@testable import App

/// 網路辦證 through HTTP, as a browser does it: consent → form → 線上申辦成功.
final class CardApplicationTests: XCTestCase {
    static let captcha = "12345"

    func withApplyApp(clock: TestClock = TestClock(), _ body: (Application) async throws -> Void) async throws {
        try await withTestApp(clock: clock, adjust: { $0.captchaTestAnswer = Self.captcha }, body)
    }

    static func validForm(idNumber: String = "A123456789", name: String = "王小明") -> [String: String] {
        ["cardType": "personal", "documentKind": "nationalID", "idNumber": idNumber, "name": name, "gender": "male",
         "birthDate": "1990-05-03", "password": "river lantern mango", "passwordConfirmation": "river lantern mango",
         "mobile": "0912-345-678", "homePhone": "02-2755-2823", "email": "wang@example.org", "captcha": captcha]
    }

    /// Agrees to the consents and opens the form (which loads the captcha image, as the browser does).
    func openForm(_ browser: TestBrowser) async throws {
        try await browser.get("/apply")
        let agreed = try await browser.post("/apply", form: ["agree": "yes"])
        XCTAssertEqual(agreed.status, .seeOther)
        XCTAssertEqual(agreed.headers.first(name: .location), "/apply/form")
        let form = try await browser.get("/apply/form")
        XCTAssertEqual(form.status, .ok)
        try await browser.get("/apply/captcha.png")
    }

    func patronCount(_ app: Application) async throws -> Int {
        try await Patron.query(on: app.db).count()
    }

    func testConsentPageShowsBothStatementsAndRequiresTheTick() async throws {
        try await withApplyApp { app in
            let browser = TestBrowser(app)
            let page = try await browser.get("/apply")
            XCTAssertTrue(page.text.contains("臺北市立圖書館讀者辦理圖書借閱證個人資料維護聲明"))
            XCTAssertTrue(page.text.contains("臺北市府單一識別服務個人資料蒐集、處理及利用同意書"))
            XCTAssertTrue(page.text.contains(#"<label for="agree">本人已詳閱並同意上述個人資料使用相關內容</label>"#))
            let refused = try await browser.post("/apply", form: [:])
            XCTAssertEqual(refused.status, .unprocessableEntity)
            XCTAssertTrue(refused.text.contains("請勾選「本人已詳閱並同意上述個人資料使用相關內容」才能繼續。"))
            let form = try await browser.get("/apply/form")
            XCTAssertEqual(form.status, .seeOther, "no form without the consent")
            XCTAssertEqual(form.headers.first(name: .location), "/apply")
        }
    }

    func testFormHasEveryFieldOfTheSeedWithLabels() async throws {
        try await withApplyApp { app in
            let browser = TestBrowser(app)
            try await openForm(browser)
            let html = try await browser.get("/apply/form").text
            for label in ["辦證類型", "個人證", "家庭證", "證號", "姓名", "女 (Female)", "男 (Male)", "其他 (Other)", "密碼",
                          "行動電話", "戶籍電話", "電子信箱", "結合新北市圖借閱證", "結合基隆市公共圖書館",
                          "本人已詳閱並同意個資同意書", "驗證碼", "回上一頁", "確認", "戶號", "戶長姓名", "戶長身分證字號",
                          "請盡量填寫電子郵件以利本館通知相關訊息", "申辦家庭圖書證需設籍臺北市",
                          // The seed's captcha link, and the document type its hint names for 大陸人士.
                          "如無法辨識請點此讀取", "入境許可證號", "統一證號／居留證號／入境許可證號"] {
                XCTAssertTrue(html.contains(label), "the form should show \(label)")
            }
            XCTAssertTrue(html.contains(#"<img class="captcha" id="captcha-image" src="/apply/captcha.png""#))
        }
    }

    func testCaptchaIsAPNGImage() async throws {
        try await withApplyApp { app in
            let browser = TestBrowser(app)
            try await openForm(browser)
            let image = try await browser.get("/apply/captcha.png")
            XCTAssertEqual(image.headers.contentType, .png)
            XCTAssertEqual(Array(Data(buffer: image.body).prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            XCTAssertEqual(image.headers.first(name: .cacheControl), "no-store")
        }
    }

    func testBadInputIsReportedBesideEachFieldKeepsWhatWasTypedAndWritesNothing() async throws {
        try await withApplyApp { app in
            let browser = TestBrowser(app)
            try await openForm(browser)
            var form = Self.validForm(idNumber: "A123456788")
            form["password"] = "password"
            form["passwordConfirmation"] = "password"
            form["mobile"] = "12345"
            form["email"] = "not-an-email"
            form["birthDate"] = "2999-01-01"
            let response = try await browser.post("/apply/form", form: form)
            XCTAssertEqual(response.status, .unprocessableEntity)
            let html = response.text
            XCTAssertTrue(html.contains(#"id="idNumber-error">身分證字號檢查碼錯誤，請再確認一次。"#))
            XCTAssertTrue(html.contains(#"id="password-error">這個密碼太常見，很容易被猜到，請換一個。"#))
            XCTAssertTrue(html.contains(#"id="mobile-error">行動電話應為 09 開頭的 10 位數字"#))
            XCTAssertTrue(html.contains(#"id="email-error">電子信箱格式不正確"#))
            XCTAssertTrue(html.contains(#"id="birthDate-error">出生日期不可晚於今天。"#))
            XCTAssertTrue(html.contains(##"<a href="#idNumber">身分證字號檢查碼錯誤"##), "the error summary links to the field")
            XCTAssertTrue(html.contains(#"value="王小明""#), "typed values are kept")
            XCTAssertTrue(html.contains(#"value="A123456788""#))
            XCTAssertFalse(html.contains(#"value="password""#), "the password is never sent back")
            XCTAssertTrue(html.contains(#"aria-invalid="true" aria-describedby="idNumber-error""#))
            let count = try await patronCount(app)
            XCTAssertEqual(count, 0, "nothing is written while the form has errors")
            // The refusal itself is audited, by field and code only.
            let audit = try await AuditEvent.query(on: app.db).all()
            XCTAssertEqual(audit.map(\.action), ["card_application.rejected"])
            let details = try XCTUnwrap(audit.first?.details)
            XCTAssertTrue(details.contains("idNumber:id_checksum"), details)
            XCTAssertFalse(details.contains("A123456788") || details.contains("王小明"), details)
        }
    }

    func testEnglishMessagesNameTheField() async throws {
        try await withApplyApp { app in
            let browser = TestBrowser(app)
            try await browser.get("/?lang=en")
            try await openForm(browser)
            var form = Self.validForm(idNumber: "A323456789")
            form["name"] = ""
            let html = try await browser.post("/apply/form", form: form).text
            XCTAssertTrue(html.contains("The second character of the document number is not valid"))
            XCTAssertTrue(html.contains("Enter your name."))
        }
    }

    func testWrongOrExpiredCaptchaIsRefusedAndEachCaptchaWorksOnce() async throws {
        let clock = TestClock()
        try await withApplyApp(clock: clock) { app in
            let browser = TestBrowser(app)
            try await openForm(browser)
            var form = Self.validForm()
            form["captcha"] = "54321"
            let wrong = try await browser.post("/apply/form", form: form)
            XCTAssertEqual(wrong.status, .unprocessableEntity)
            XCTAssertTrue(wrong.text.contains("驗證碼不正確"))
            // The right answer no longer works: the challenge was used up by the wrong try.
            let reused = try await browser.post("/apply/form", form: Self.validForm())
            XCTAssertTrue(reused.text.contains("驗證碼已逾時"))
            try await browser.get("/apply/captcha.png")
            clock.advance(by: 301)
            let late = try await browser.post("/apply/form", form: Self.validForm())
            XCTAssertTrue(late.text.contains("驗證碼已逾時"))
            let count = try await patronCount(app)
            XCTAssertEqual(count, 0)
        }
    }

    // MARK: The captcha: single use, required, and its text alternative (#12 item 9, #17 item 6)

    /// The text question of a form page in question mode, answered as a person would.
    static func answerQuestion(in html: String) throws -> String {
        let numbers: [Character: Int] = ["一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9]
        let start = try XCTUnwrap(html.range(of: #"id="captcha-question">請問"#)?.upperBound, "the question is on the page")
        let words = Array(html[start...].prefix(3))
        let first = try XCTUnwrap(numbers[words[0]]), second = try XCTUnwrap(numbers[words[2]])
        XCTAssertTrue(html[start...].hasPrefix("\(words[0])\(words[1])\(words[2])等於多少？"))
        switch words[1] {
        case "加": return String(first + second)
        case "減": return String(first - second)
        default: XCTFail("not a question: \(String(words))"); return ""
        }
    }

    func captchaRows(_ app: Application) async throws -> [String] {
        try await (app.db as! any SQLDatabase).raw("SELECT id FROM captcha_challenges").all().map { try $0.decode(column: "id", as: String.self) }
    }

    func testOneSolvedCaptchaPostedEightTimesAtOncePassesOnce() async throws {
        try await withApplyApp { app in
            let browser = TestBrowser(app)
            try await openForm(browser)
            // Eight different people (so neither "already registered" nor the per-person limit decides), one solved captcha.
            let posts = try (0..<8).map { index in
                try PreparedPost(browser, path: "/apply/form",
                                 form: Self.validForm(idNumber: IdentityNumber.makeValid(firstLetter: "C", second: "1", middle: "300000\(index)")))
            }
            let codes = try await PreparedPost.sendAll(posts, to: app)
            XCTAssertEqual(codes.filter { $0 == 303 }.count, 1, "\(codes)")
            XCTAssertEqual(codes.filter { $0 == 422 }.count, 7, "\(codes)")
            let count = try await patronCount(app)
            XCTAssertEqual(count, 1)
        }
    }

    func testEmptyCaptchaIsAskedForNotCalledIncorrect() async throws {
        try await withApplyApp { app in
            let browser = TestBrowser(app)
            try await openForm(browser)
            var form = Self.validForm()
            form["captcha"] = "  "
            let response = try await browser.post("/apply/form", form: form)
            XCTAssertEqual(response.status, .unprocessableEntity)
            XCTAssertTrue(response.text.contains(#"id="captcha-error">請輸入驗證碼。"#), response.text)
            XCTAssertTrue(response.text.contains(##"<a href="#captcha">請輸入驗證碼。"##), "the summary names the field")
            XCTAssertFalse(response.text.contains("驗證碼不正確"))
            let count = try await patronCount(app)
            XCTAssertEqual(count, 0)
            let english = try await browser.post("/apply/form?lang=en", form: form)
            XCTAssertTrue(english.text.contains("Please type the verification code."), english.text)
        }
    }

    func testTextQuestionIsOfferedBesideThePictureAndPasses() async throws {
        try await withApplyApp { app in
            let browser = TestBrowser(app)
            try await openForm(browser)
            let picture = try await browser.get("/apply/form")
            // Beside the seed's reload link, a link (keyboard-usable, no script needed) to the text alternative.
            XCTAssertTrue(picture.text.contains(#"<a href="/apply/form" id="captcha-reload">如無法辨識請點此讀取</a>"#))
            XCTAssertTrue(picture.text.contains(#"<a href="/apply/form?captcha=question" id="captcha-switch">看不到圖片？改用文字題目</a>"#))
            let page = try await browser.get("/apply/form?captcha=question")
            XCTAssertFalse(page.text.contains(#"id="captcha-image""#), "no picture in question mode")
            XCTAssertTrue(page.text.contains(#"aria-describedby="captcha-hint captcha-question""#), "the input is described by the question")
            XCTAssertTrue(page.text.contains(#"id="captcha-switch">改用圖片驗證碼</a>"#))
            let english = try await browser.get("/apply/form?lang=en")
            XCTAssertTrue(english.text.range(of: #"id="captcha-question">What is [a-z]+ (plus|minus) [a-z]+\?<"#, options: .regularExpression) != nil,
                          "the choice stays for the session, and the question is in the page's language")
            let zh = try await browser.get("/apply/form?lang=zh-TW")
            var form = Self.validForm()
            form["captcha"] = try Self.answerQuestion(in: zh.text)
            let response = try await browser.post("/apply/form", form: form)
            XCTAssertEqual(response.status, .seeOther, response.text)
            let count = try await patronCount(app)
            XCTAssertEqual(count, 1)
        }
    }

    func testTextQuestionIsSingleUseToo() async throws {
        try await withApplyApp { app in
            let browser = TestBrowser(app)
            try await openForm(browser)
            let page = try await browser.get("/apply/form?captcha=question")
            let answer = try Self.answerQuestion(in: page.text)
            let posts = try (0..<8).map { index in
                var form = Self.validForm(idNumber: IdentityNumber.makeValid(firstLetter: "D", second: "2", middle: "400000\(index)"))
                form["gender"] = "female"
                form["captcha"] = answer
                return try PreparedPost(browser, path: "/apply/form", form: form)
            }
            let codes = try await PreparedPost.sendAll(posts, to: app)
            XCTAssertEqual(codes.filter { $0 == 303 }.count, 1, "\(codes)")
            XCTAssertEqual(codes.filter { $0 == 422 }.count, 7, "\(codes)")
        }
    }

    func testReloadingGivesANewChallengeAndRetiresTheOldOne() async throws {
        try await withApplyApp { app in
            let browser = TestBrowser(app)
            try await openForm(browser)
            let first = try await captchaRows(app)
            XCTAssertEqual(first.count, 1)
            try await browser.get("/apply/captcha.png")
            let second = try await captchaRows(app)
            XCTAssertEqual(second.count, 1, "the session's earlier challenge is gone")
            XCTAssertNotEqual(first, second)
            try await browser.get("/apply/form?captcha=question")
            let third = try await captchaRows(app)
            XCTAssertEqual(third.count, 1)
            XCTAssertNotEqual(second, third)
            let response = try await browser.post("/apply/form", form: Self.validForm())
            XCTAssertTrue(response.text.contains("驗證碼不正確"), "the picture's answer no longer counts once a question replaced it")
            let left = try await captchaRows(app)
            XCTAssertEqual(left.count, 1, "the wrong try used the question up; the page shows a new one")
            XCTAssertNotEqual(left, third)
        }
    }

    func testExpiredChallengesAreSwept() async throws {
        let clock = TestClock()
        try await withApplyApp(clock: clock) { app in
            let browser = TestBrowser(app)
            try await openForm(browser)
            clock.advance(by: 301)
            try await Captcha.deleteExpired(now: clock.now, on: app.db)
            let left = try await captchaRows(app)
            XCTAssertTrue(left.isEmpty)
        }
    }

    func testSuccessfulApplicationStoresTheIDEncryptedWithConsentsLinksAuditAndEmail() async throws {
        try await withApplyApp { app in
            let browser = TestBrowser(app)
            try await openForm(browser)
            var form = Self.validForm(idNumber: "ａ１２３４５６７８９")
            form["linkNTPL"] = "yes"
            form["consentNTPL"] = "yes"
            let response = try await browser.post("/apply/form", form: form)
            XCTAssertEqual(response.status, .seeOther)
            XCTAssertEqual(response.headers.first(name: .location), "/apply/done")
            let done = try await browser.get("/apply/done")
            XCTAssertTrue(done.text.contains("<h1>線上申辦成功</h1>"))
            XCTAssertTrue(done.text.contains("持有效證件，至所屬任一閱覽單位服務臺辦理"))
            XCTAssertTrue(done.text.contains("本館不再提供個人借閱證實體卡"))

            let patron = try await XCTUnwrapAsync(await Patron.query(on: app.db).first())
            XCTAssertEqual(patron.status, .pending)
            XCTAssertTrue(done.text.contains(patron.applicationNumber))
            XCTAssertTrue(patron.applicationNumber.hasPrefix("TPML-"))
            XCTAssertNil(patron.cardNumber)
            let sealed = try XCTUnwrap(patron.idNumberSealed)
            XCTAssertFalse(sealed.contains("A123456789"))
            XCTAssertEqual(try app.vault.open(sealed, context: CardApplicationService.idNumberContext), "A123456789")
            XCTAssertEqual(patron.idNumberIndex, app.vault.blindIndex("A123456789", context: CardApplicationService.idNumberContext))
            XCTAssertEqual(patron.mobile, "0912345678")
            XCTAssertTrue(patron.passwordHash?.hasPrefix("$2") ?? false)

            let consents = try await ConsentRecord.query(on: app.db).with(\.$document).all()
            XCTAssertEqual(Set(consents.map(\.document.code)), ["TPML_PRIVACY", "TAIPEI_CITY_ID", "NTPL_LINK"])
            XCTAssertTrue(consents.allSatisfy { $0.channel == "web" && $0.document.version == 1 })
            let links = try await PartnerLink.query(on: app.db).with(\.$partnerService).all()
            XCTAssertEqual(links.map(\.partnerService.code), ["NTPL"])
            XCTAssertEqual(links.first?.status, .pending)
            let audit = try await AuditEvent.query(on: app.db).filter(\.$action == "card_application.submitted").all()
            XCTAssertEqual(audit.count, 1)
            XCTAssertFalse(audit[0].details?.contains("A123456789") ?? true)
            let mails = try await OutboxMessage.query(on: app.db).all()
            XCTAssertEqual(mails.count, 1)
            let mail = try JSONDecoder().decode(MailMessage.self, from: Data(mails[0].payload.utf8))
            XCTAssertEqual(mail.to, "wang@example.org")
            XCTAssertTrue(mail.subject.contains(patron.applicationNumber))
        }
    }

    func testNoIDNumberInPlainTextAnywhereInTheDatabaseFile() async throws {
        let directory = NSTemporaryDirectory() + "onecard-file-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let file = directory + "/onecard.sqlite"
        guard TestDatabase.postgresURL == nil else { throw XCTSkip("checks the embedded SQLite file; the PostgreSQL pass covers the rest") }
        try await withTestApp(adjust: { $0.captchaTestAnswer = Self.captcha; $0.database = .sqliteFile(file) }) { app in
            let browser = TestBrowser(app)
            try await openForm(browser)
            var form = Self.validForm(idNumber: "F234567898", name: "陳美玲")
            form["gender"] = "female"
            form["cardType"] = "family"
            form["householdNumber"] = "F1234567"
            form["headOfHouseholdName"] = "陳大同"
            form["headOfHouseholdIDNumber"] = "A123456789"
            let response = try await browser.post("/apply/form", form: form)
            XCTAssertEqual(response.status, .seeOther, response.text)
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: file + "-wal"))) ?? Data()
        for secret in ["F234567898", "A123456789", "F1234567"] {
            XCTAssertNil(bytes.range(of: Data(secret.utf8)), "\(secret) must not be stored in clear")
            XCTAssertNil(wal.range(of: Data(secret.utf8)))
        }
        XCTAssertNotNil(bytes.range(of: Data("陳美玲".utf8)), "the file was really written")
    }

    func testSecondApplicationBySamePersonIsToldTheyAlreadyHaveACard() async throws {
        try await withApplyApp { app in
            let first = TestBrowser(app)
            try await openForm(first)
            try await first.post("/apply/form", form: Self.validForm())
            let second = TestBrowser(app)
            try await openForm(second)
            var again = Self.validForm(idNumber: " a123456789 ", name: "王小明")
            again["email"] = "other@example.org"
            let response = try await second.post("/apply/form", form: again)
            XCTAssertEqual(response.status, .conflict)
            XCTAssertTrue(response.text.contains("您已辦過借閱證或已有線上申請。"))
            XCTAssertTrue(response.text.contains("以借閱證號或身分證字號登入"))
            XCTAssertTrue(response.text.contains("忘記密碼"))
            XCTAssertTrue(response.text.contains("服務臺"))
            let count = try await patronCount(app)
            XCTAssertEqual(count, 1)
        }
    }

    func testFamilyCardNeedsTheHouseholdAndPartnerLinksNeedTheirConsent() async throws {
        try await withApplyApp { app in
            let browser = TestBrowser(app)
            try await openForm(browser)
            var form = Self.validForm()
            form["cardType"] = "family"
            form["linkKLPL"] = "yes"
            let response = try await browser.post("/apply/form", form: form)
            XCTAssertEqual(response.status, .unprocessableEntity)
            XCTAssertTrue(response.text.contains("申辦家庭證請輸入戶號。"))
            XCTAssertTrue(response.text.contains("申辦家庭證請輸入戶長姓名。"))
            XCTAssertTrue(response.text.contains("申辦家庭證請輸入戶長身分證字號。"))
            XCTAssertTrue(response.text.contains(#"id="partnerConsentKLPL-error">選擇結合合作館借閱證時"#))
            XCTAssertTrue(response.text.contains(#"id="linkKLPL" name="linkKLPL" value="yes" checked"#), "the choice is kept")
        }
    }

    func testPasswordMayNotBeTheIDNumberPhoneOrBirthdayAndPassportsNeedACountry() async throws {
        try await withApplyApp { app in
            let browser = TestBrowser(app)
            try await openForm(browser)
            for password in ["a123456789", "0912345678", "19900503", "05031990", "079-05-03"] {
                var form = Self.validForm()
                form["password"] = password
                form["passwordConfirmation"] = password
                try await browser.get("/apply/captcha.png")
                let response = try await browser.post("/apply/form", form: form)
                XCTAssertTrue(response.text.contains("密碼不可與證號、電話或生日相同。"), password)
            }
            var passport = Self.validForm(idNumber: "X1234567")
            passport["documentKind"] = "passport"
            try await browser.get("/apply/captcha.png")
            let missing = try await browser.post("/apply/form", form: passport)
            XCTAssertTrue(missing.text.contains("使用護照號碼時，請填寫護照核發國家。"))
            passport["passportCountry"] = "jpn"
            try await browser.get("/apply/captcha.png")
            let stored = try await browser.post("/apply/form", form: passport)
            XCTAssertEqual(stored.status, .seeOther)
            let patron = try await Patron.query(on: app.db).first()
            XCTAssertEqual(patron?.documentKind, "passport")
            XCTAssertEqual(patron?.passportCountry, "JPN")
        }
    }

    /// #17 item 1: 護照核發國家 is a list of countries by name (sorted for the page's language) that posts the
    /// ISO alpha-3 code; the choice is kept on an error; a name typed where a code belongs ("Japan") is named
    /// as not recognised, with what is expected, instead of "please fill in" a field that was filled.
    func testPassportCountryIsChosenByNameStoredAsItsCodeAndAnUnknownValueSaysWhatIsExpected() async throws {
        try await withApplyApp { app in
            let browser = TestBrowser(app)
            browser.acceptLanguage = "en"
            try await browser.get("/?lang=en")
            try await openForm(browser)
            let english = try await browser.get("/apply/form").text
            XCTAssertTrue(english.contains(#"<select id="passportCountry" name="passportCountry""#), english)
            XCTAssertTrue(english.contains(#"<option value="">Choose a country</option>"#))
            XCTAssertTrue(english.contains(#"<option value="JPN">Japan</option>"#))
            XCTAssertTrue(english.contains(#"<option value="TWN">Taiwan</option>"#))
            XCTAssertTrue(english.contains("Only with a passport number: choose the country that issued your passport."))
            let afghanistan = try XCTUnwrap(english.range(of: ">Afghanistan<")?.lowerBound)
            let japan = try XCTUnwrap(english.range(of: ">Japan<")?.lowerBound)
            let zimbabwe = try XCTUnwrap(english.range(of: ">Zimbabwe<")?.lowerBound)
            XCTAssertTrue(afghanistan < japan && japan < zimbabwe, "sorted by English name")

            var passport = Self.validForm(idNumber: "X1234567")
            passport["documentKind"] = "passport"
            passport["passportCountry"] = "Japan"
            try await browser.get("/apply/captcha.png")
            let typed = try await browser.post("/apply/form", form: passport)
            XCTAssertEqual(typed.status, .unprocessableEntity)
            XCTAssertTrue(typed.text.contains(
                "The passport’s issuing country was not recognised: choose it from the list (for example, Japan)."), typed.text)
            XCTAssertFalse(typed.text.contains("With a passport number, enter the issuing country."))
            XCTAssertTrue(typed.text.contains(##"<a href="#passportCountry">"##), "the summary leads to the list")
            XCTAssertTrue(typed.text.contains(#"<option value="passport" selected>"#))
            var count = try await patronCount(app)
            XCTAssertEqual(count, 0)

            // Another field wrong: the country chosen is still chosen when the form comes back.
            passport["passportCountry"] = "JPN"
            passport["mobile"] = "123"
            try await browser.get("/apply/captcha.png")
            let kept = try await browser.post("/apply/form", form: passport)
            XCTAssertEqual(kept.status, .unprocessableEntity)
            XCTAssertTrue(kept.text.contains(#"<option value="JPN" selected>Japan</option>"#), kept.text)

            passport["mobile"] = "0912-345-678"
            try await browser.get("/apply/captcha.png")
            let stored = try await browser.post("/apply/form", form: passport)
            XCTAssertEqual(stored.status, .seeOther)
            count = try await patronCount(app)
            XCTAssertEqual(count, 1)
            let patron = try await Patron.query(on: app.db).first()
            XCTAssertEqual(patron?.passportCountry, "JPN")

            // The zh-TW page names the same countries in Chinese, by stroke count.
            let chinese = TestBrowser(app)
            try await openForm(chinese)
            let html = try await chinese.get("/apply/form").text
            XCTAssertTrue(html.contains(#"<option value="JPN">日本</option>"#))
            XCTAssertTrue(html.contains(#"<option value="TWN">臺灣</option>"#))
            let japanZH = try XCTUnwrap(html.range(of: ">日本<")?.lowerBound)
            let usa = try XCTUnwrap(html.range(of: ">美國<")?.lowerBound)
            XCTAssertTrue(japanZH < usa, "日 (4 strokes) before 美 (9)")
        }
    }

    /// #17 item 7: 線上申辦成功 says what the confirmation email says: that it was sent (and where), to
    /// bring an ID to any branch desk within the days the application is kept (the configured number),
    /// and what happens then; without an email address, to note the number instead.
    func testTheDonePageGivesTheEmailsNextStepsWithTheConfiguredDays() async throws {
        try await withTestApp(adjust: { $0.captchaTestAnswer = Self.captcha; $0.pendingApplicationLifetimeDays = 14 }) { app in
            let browser = TestBrowser(app)
            try await openForm(browser)
            let response = try await browser.post("/apply/form", form: Self.validForm())
            XCTAssertEqual(response.headers.first(name: .location), "/apply/done")
            let done = try await browser.get("/apply/done").text
            XCTAssertTrue(done.contains("<h2>接下來</h2>"), done)
            XCTAssertTrue(done.contains("確認信已寄至 wang@example.org，信中有申請編號與辦證說明。"))
            XCTAssertTrue(done.contains("請於 14 日內，在服務時間內持有效證件至臺北市立圖書館任一閱覽單位服務臺完成辦證。"))
            XCTAssertTrue(done.contains("館員核對證件後即為您開通借閱證，即可開始借閱。申請 14 日內未完成辦理者，申請資料將予刪除，需重新申請。"))
            XCTAssertTrue(done.contains(#"<a class="button" href="/">確定</a>"#))
            let mail = try await XCTUnwrapAsync(await OutboxMessage.query(on: app.db).filter(\.$kind == .email).first())
            XCTAssertTrue(mail.payload.contains("申請 14 日內未完成辦理者"), "the email and the page give the same number of days")

            let english = TestBrowser(app)
            english.acceptLanguage = "en"
            try await english.get("/?lang=en")
            try await openForm(english)
            var form = Self.validForm(idNumber: IdentityNumber.makeValid(firstLetter: "B", second: "1", middle: "2345678"), name: "Lee")
            form["email"] = ""
            try await english.get("/apply/captcha.png")
            let noMail = try await english.post("/apply/form", form: form)
            XCTAssertEqual(noMail.headers.first(name: .location), "/apply/done", noMail.text)
            let page = try await english.get("/apply/done").text
            XCTAssertTrue(page.contains("You gave no email address, so no confirmation email is sent: please note the application number above."), page)
            XCTAssertTrue(page.contains("Within 14 days, bring a valid ID to any branch desk of Taipei Public Library during opening hours to complete your card."))
            XCTAssertTrue(page.contains("An application not completed within 14 days is deleted, and you would need to apply again."))
        }
    }

    func testRepeatedAttemptsForOnePersonAreLimitedButAnExistingCardIsStillNamed() async throws {
        try await withApplyApp { app in
            let browser = TestBrowser(app)
            try await openForm(browser)
            let idNumber = IdentityNumber.makeValid(firstLetter: "B", second: "1", middle: "2000000")
            var form = Self.validForm(idNumber: idNumber)
            form["email"] = "bad"
            for attempt in 1...5 {
                try await browser.get("/apply/captcha.png")
                let response = try await browser.post("/apply/form", form: form)
                XCTAssertEqual(response.status, .unprocessableEntity, "attempt \(attempt)")
            }
            try await browser.get("/apply/captcha.png")
            let limited = try await browser.post("/apply/form", form: Self.validForm(idNumber: idNumber, name: "李小龍"))
            XCTAssertEqual(limited.status, .tooManyRequests)
            XCTAssertTrue(limited.text.contains("這段時間內的申請次數太多，暫時無法送出。"), "the form again, with a message of its own")
            XCTAssertTrue(limited.text.contains("請於一小時後再按「確認」送出"))
            XCTAssertTrue(limited.text.contains(#"value="李小龍""#), "what was typed is kept")
            XCTAssertTrue(limited.text.contains(#"<form method="post" action="/apply/form""#))
            let count = try await patronCount(app)
            XCTAssertEqual(count, 0)
            let refused = try await AuditEvent.query(on: app.db).filter(\.$action == "card_application.refused").all()
            XCTAssertEqual(refused.count, 1)
            let details = try XCTUnwrap(refused.first?.details)
            XCTAssertTrue(details.contains("person_rate_limit"), details)
            XCTAssertFalse(details.contains(idNumber) || details.contains("李小龍"), details)
        }
    }

    // MARK: Every rule of the form, through HTTP

    /// Posts `change(validForm)` with a fresh captcha and returns the page.
    func submit(_ browser: TestBrowser, idNumber: String, _ change: (inout [String: String]) -> Void) async throws -> XCTHTTPResponse {
        var form = Self.validForm(idNumber: idNumber)
        change(&form)
        try await browser.get("/apply/captcha.png")
        return try await browser.post("/apply/form", form: form)
    }

    func testEachBadFieldIsNamedBesideItsField() async throws {
        try await withApplyApp { app in
            let browser = TestBrowser(app)
            try await openForm(browser)
            let cases: [(field: String, message: String, change: (inout [String: String]) -> Void)] = [
                ("homePhone", "戶籍電話應含區碼，例如 02-2755-2823，分機請以 # 分隔。", { $0["homePhone"] = "2755-2823" }),
                ("householdNumber", "戶號應為戶口名簿上的 8 碼英數字。", {
                    $0["cardType"] = "family"; $0["householdNumber"] = "12-345"; $0["headOfHouseholdName"] = "王大明"
                    $0["headOfHouseholdIDNumber"] = nationalID(90)
                }),
                ("headOfHouseholdIDNumber", "身分證字號檢查碼錯誤，請再確認一次。", {
                    $0["cardType"] = "family"; $0["householdNumber"] = "F1234567"; $0["headOfHouseholdName"] = "王大明"
                    $0["headOfHouseholdIDNumber"] = "A123456788"
                }),
                ("cardType", "請選擇辦證類型。", { $0["cardType"] = nil }),
                ("gender", "請選擇性別。", { $0["gender"] = nil }),
                ("documentKind", "請選擇證號類別。", { $0["documentKind"] = nil }),
                ("name", "姓名不可超過 60 個字，只能有文字、空格與「·」「.」「-」「（）」等姓名用的符號，不可含其他符號或控制字元。", { $0["name"] = String(repeating: "王", count: 61) }),
                ("password", "密碼最多 128 個字元。", {
                    $0["password"] = String(repeating: "river ", count: 22); $0["passwordConfirmation"] = $0["password"]
                }),
                ("passwordConfirmation", "兩次輸入的密碼不一致。", { $0["passwordConfirmation"] = "river lantern mangos" }),
                ("idNumber", "這是統一證號或居留證號，請將證號類別改為「統一證號／居留證號／入境許可證號」。", { $0["idNumber"] = "A800000014" }),
                ("idNumber", "這是身分證字號，請將證號類別改為「身分證字號」。", { $0["documentKind"] = "residentCertificate" }),
            ]
            for (n, test) in cases.enumerated() {
                let response = try await submit(browser, idNumber: nationalID(100 + n), test.change)
                XCTAssertEqual(response.status, .unprocessableEntity, test.field)
                XCTAssertTrue(response.text.contains(#"id="\#(test.field)-error">\#(test.message)"#), "\(test.field): \(test.message)")
                XCTAssertTrue(response.text.contains(##"<a href="#\##(test.field)">\##(test.message)"##), "the summary links to \(test.field)")
            }
            let count = try await patronCount(app)
            XCTAssertEqual(count, 0)
        }
    }

    func testTheErrorSummaryFollowsTheFormsOrder() async throws {
        try await withApplyApp { app in
            let browser = TestBrowser(app)
            try await openForm(browser)
            // The rules check the password before the household; the form asks for the household first.
            let response = try await submit(browser, idNumber: nationalID(200)) {
                $0["cardType"] = "family"; $0["password"] = "short"; $0["email"] = "bad"; $0["captcha"] = "00000"
            }
            let html = response.text
            let anchors = ["householdNumber", "headOfHouseholdName", "headOfHouseholdIDNumber", "password", "email", "captcha"]
            let positions = anchors.map { html.range(of: ##"<li><a href="#\##($0)">"##)?.lowerBound }
            XCTAssertFalse(positions.contains(nil), "\(positions)")
            XCTAssertEqual(positions.compactMap { $0 }, positions.compactMap { $0 }.sorted(), "summary in form order")
            XCTAssertTrue(html.contains("data-focus-first-error"), "the page's script moves focus to the first field in error")
        }
    }

    func testAResidentCertificateHolderAppliesWithAUnifiedIDNumber() async throws {
        try await withApplyApp { app in
            let browser = TestBrowser(app)
            try await openForm(browser)
            let response = try await submit(browser, idNumber: "a800000014") { $0["documentKind"] = "residentCertificate" }
            XCTAssertEqual(response.status, .seeOther)
            XCTAssertEqual(response.headers.first(name: .location), "/apply/done")
            let done = try await browser.get("/apply/done")
            XCTAssertTrue(done.text.contains("自108年7月1日起，本館不再提供個人借閱證實體卡"))
            let patron = try await XCTUnwrapAsync(await Patron.query(on: app.db).first())
            XCTAssertEqual(patron.documentKind, "unifiedID", "the kind follows the number's shape")
            XCTAssertEqual(try app.vault.open(try XCTUnwrap(patron.idNumberSealed), context: CardApplicationService.idNumberContext), "A800000014")
        }
    }

    func testTooManyApplicationsFromOneAddressAreRefusedAndAudited() async throws {
        try await withApplyApp { app in
            let documents = try await [ConsentDocument.current("TPML_PRIVACY", at: app.clock.now(), on: app.db), ConsentDocument.current("TAIPEI_CITY_ID", at: app.clock.now(), on: app.db)]
            let service = cardApplicationService(app)
            func attempt(_ n: Int) async throws -> CardApplicationError? {
                var input = CardApplicationInput()
                input.cardType = "personal"; input.documentKind = "nationalID"; input.idNumber = nationalID(300 + n)
                input.name = "王小明"; input.gender = "male"; input.birthDate = "1990-05-03"; input.email = "bad"
                do {
                    _ = try await service.submit(input, libraryCode: "TPML", consentedDocuments: documents, channel: "web",
                                                 locale: .zhTW, actor: .anonymous(ipAddress: "198.51.100.7"),
                                                 limits: .web(ipAddress: "198.51.100.7"))
                    return nil
                } catch let error as CardApplicationError { return error }
            }
            for n in 1...20 {
                let error = try await attempt(n)
                guard case .invalid = error else { return XCTFail("attempt \(n): \(String(describing: error))") }
            }
            let refused = try await attempt(21)
            XCTAssertEqual(refused, .tooManyAttempts)
            let audit = try await AuditEvent.query(on: app.db).filter(\.$action == "card_application.refused").all()
            XCTAssertEqual(audit.count, 1)
            let details = try XCTUnwrap(audit.first?.details)
            XCTAssertTrue(details.contains("source_rate_limit"), details)
            XCTAssertFalse(details.contains(nationalID(321)), details)
            XCTAssertEqual(audit.first?.ipAddress, "198.51.100.7")
        }
    }

    func testTheCommonPasswordListHasTenThousandEntriesAndLoadsQuickly() async throws {
        let started = Date()
        let policy = try Application.loadPasswordPolicy()
        XCTAssertLessThan(Date().timeIntervalSince(started), 2, "read once at start into a Set")
        XCTAssertGreaterThanOrEqual(policy.commonPasswords.count, 10_000)
        XCTAssertFalse(policy.commonPasswords.contains { $0.hasPrefix("#") || $0.count < 8 }, "comments and too-short entries are not loaded")
        for local in ["woaini1314", "taipei101", "library123"] { XCTAssertTrue(policy.commonPasswords.contains(local), local) }
        try await withApplyApp { app in
            let browser = TestBrowser(app)
            try await openForm(browser)
            let response = try await submit(browser, idNumber: nationalID(400)) { $0["password"] = "Independ"; $0["passwordConfirmation"] = "Independ" }
            XCTAssertTrue(response.text.contains(#"id="password-error">這個密碼太常見，很容易被猜到，請換一個。"#), "one from deep in the list")
        }
    }
}
