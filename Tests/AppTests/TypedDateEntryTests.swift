import Fluent
import Foundation
import OneCardDomain
import XCTVapor
@testable import App

/// 民國 dates (#17 item 4): every form where a person types a date reads 西元 and 民國 through the one parser
/// (`TypedDate`); zh-TW pages and emails show 民國 dates, English pages and the JSON API keep ISO.
final class TypedDateEntryTests: XCTestCase {
    /// Agrees to the consents and opens the application form, as `CardApplicationTests` does.
    private func openApplyForm(_ browser: TestBrowser) async throws {
        try await browser.get("/apply")
        try await browser.post("/apply", form: ["agree": "yes"])
        let form = try await browser.get("/apply/form")
        XCTAssertEqual(form.status, .ok)
        XCTAssertTrue(form.text.contains(#"name="birthDate" type="text""#), "a text field, so 民國 dates can be typed")
        XCTAssertTrue(form.text.contains("年、月、日，民國或西元皆可，例如 79/05/03、民國79年5月3日或 1990-05-03。"), "the hint names both forms")
        try await browser.get("/apply/captcha.png")
    }

    func testTheApplicationFormStoresA民國BirthDateAs西元() async throws {
        for typed in ["79/05/03", "民國79年5月3日", "０７９０５０３"] {
            try await withTestApp(adjust: { $0.captchaTestAnswer = CardApplicationTests.captcha }) { app in
                let browser = TestBrowser(app)
                try await openApplyForm(browser)
                var form = CardApplicationTests.validForm()
                form["birthDate"] = typed
                let response = try await browser.post("/apply/form", form: form)
                XCTAssertEqual(response.status, .seeOther, typed)
                let patron = try await XCTUnwrapAsync(await Patron.query(on: app.db).first())
                XCTAssertEqual(patron.birthDate, "1990-05-03", typed)
            }
        }
    }

    func testAnImpossible民國BirthDateIsRefusedAsNoSuchDayAndNothingIsWritten() async throws {
        try await withTestApp(adjust: { $0.captchaTestAnswer = CardApplicationTests.captcha }) { app in
            let browser = TestBrowser(app)
            try await openApplyForm(browser)
            var form = CardApplicationTests.validForm()
            form["birthDate"] = "79/02/30"
            let response = try await browser.post("/apply/form", form: form)
            XCTAssertEqual(response.status, .unprocessableEntity)
            XCTAssertTrue(response.text.contains(#"id="birthDate-error">沒有這一天，請檢查出生日期的年、月、日（例如 2 月沒有 30 日，民國年從 1 年起）。"#))
            XCTAssertTrue(response.text.contains(#"value="79/02/30""#), "what was typed is shown again")
            form["birthDate"] = "3/5/1990"
            let dayFirst = try await browser.post("/apply/form", form: form)
            XCTAssertTrue(dayFirst.text.contains("出生日期不正確，請依年、月、日填寫，例如 79/05/03 或 1990-05-03。"))
            let count = try await Patron.query(on: app.db).count()
            XCTAssertEqual(count, 0)
        }
    }

    func testTheJSONAPIStillTakesISODatesOnly() async throws {
        try await withTestApp { app in
            let token = try await APIClients.create(name: "Kiosk", libraryCode: "TPML", scopes: [.cardApplications], database: app.db, now: app.clock.now())
            for typed in ["79/05/03", "民國79年5月3日"] {
                var headers: HTTPHeaders = ["Content-Type": "application/json"]
                headers.bearerAuthorization = .init(token: token)
                let response = try await app.testable().sendRequest(.POST, "/api/v1/card-applications", headers: headers,
                                                                    body: CardApplicationAPITests.body(extra: ["birthDate": typed]))
                XCTAssertEqual(response.status, .unprocessableEntity, typed)
                let errors = try response.content.decode(FieldErrorsDTO.self).errors
                XCTAssertTrue(errors.contains { $0.field == "birthDate" && $0.code == "birth_date_invalid" }, typed)
            }
            let count = try await Patron.query(on: app.db).count()
            XCTAssertEqual(count, 0)
        }
    }

    func testTheDeskTypesA民國有效期限AndTheReaderSeesIt民國InChineseAndISOInEnglish() async throws {
        try await withTestApp { app in
            var (reader, patron) = try await signedInReader(app)
            let desk = try await signedInStaff(app)
            let path = "/staff/applications/\(patron.id!.uuidString)"
            let page = try await desk.get(path)
            XCTAssertTrue(page.text.contains(#"id="newValidUntil" name="validUntil" type="text""#))
            XCTAssertTrue(page.text.contains("例如 116/03/31 或 2027-03-31"), "the hint names both forms")
            let impossible = try await desk.post(path + "/valid-until", form: ["validUntil": "120/02/30"])
            XCTAssertEqual(impossible.status, .unprocessableEntity)
            XCTAssertTrue(impossible.text.contains("沒有這一天，請檢查有效期限的年、月、日。"))
            let changed = try await desk.post(path + "/valid-until", form: ["validUntil": "民國120年3月31日"])
            XCTAssertEqual(changed.status, .seeOther)
            patron = try await XCTUnwrapAsync(await Patron.find(patron.id, on: app.db))
            XCTAssertEqual(patron.cardValidUntil, "2031-03-31")

            let deskView = try await desk.get(path)
            XCTAssertTrue(deskView.text.contains(#"<time datetime="2031-03-31">民國120年3月31日</time>"#))
            XCTAssertTrue(deskView.text.contains(#"<time datetime="1990-05-03">民國79年5月3日</time>"#), "the birth date, too")
            XCTAssertTrue(deskView.text.contains("民國115年11月18日 "), "when it was applied for, as an instant in 民國")
            let mail = try await outboxMails(app).last { $0.subject == "借閱證有效期限已變更" }
            XCTAssertTrue(try XCTUnwrap(mail).body.contains("有效期限已變更為：民國120年3月31日。"))

            let home = try await reader.get("/account/home")
            XCTAssertTrue(home.text.contains(#"<time datetime="2031-03-31">民國120年3月31日</time>"#))
            let card = try await reader.get("/account/card")
            XCTAssertTrue(card.text.contains(#"<time datetime="2031-03-31">民國120年3月31日</time>"#))
            let account = try await reader.get("/account")
            XCTAssertTrue(account.text.contains(#"<time datetime="1990-05-03">民國79年5月3日</time>"#))
            XCTAssertTrue(account.text.contains("民國115年11月18日 "), "consents given, as an instant in 民國: \(account.text)")

            reader.acceptLanguage = "en"
            try await reader.get("/account/home?lang=en")
            let englishHome = try await reader.get("/account/home")
            XCTAssertTrue(englishHome.text.contains(#"<time datetime="2031-03-31">2031-03-31</time>"#))
            XCTAssertFalse(englishHome.text.contains("民國"))
            let englishAccount = try await reader.get("/account")
            XCTAssertTrue(englishAccount.text.contains(#"<time datetime="1990-05-03">1990-05-03</time>"#))
            XCTAssertTrue(englishAccount.text.contains("2026-11-18 "), "consents given, as an ISO instant")
            XCTAssertFalse(englishAccount.text.contains("民國"))
        }
    }

    func testTheRosterUploadTakesA民國LetterDateAndThePagesShowIt() async throws {
        try await withTestApp { app in
            let organization = try await GroupFixtures.approved(app)
            let form = try await organization.contact.get("/group-application/contact/batches/new")
            XCTAssertTrue(form.text.contains(#"name="letterDate" type="text""#))
            let uploaded = try await GroupFixtures.upload(organization.contact, try await GroupFiles.roster([GroupFiles.row(1)]),
                                                          date: "民國115年11月16日")
            XCTAssertEqual(uploaded.status, .seeOther)
            let batch = try await XCTUnwrapAsync(await GroupBatch.query(on: app.db).first())
            XCTAssertEqual(batch.letterDate, "2026-11-16")
            let page = try await organization.contact.get("/group-application/contact/batches/\(batch.id!.uuidString)")
            XCTAssertTrue(page.text.contains(#"（<time datetime="2026-11-16">民國115年11月16日</time>）"#), page.text)
            let mail = try await outboxMails(app).last { $0.subject.contains(batch.reference) || $0.body.contains(batch.reference) }
            XCTAssertTrue(try XCTUnwrap(mail).body.contains("最遲 民國"), "the batch email's days are 民國, too")
        }
    }

    func testAClosedDayIsTypedIn民國() async throws {
        try await withTestApp(clock: TestClock(LibraryCalendarTests.monday)) { app in
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let page = try await admin.get("/staff/calendar")
            XCTAssertTrue(page.text.contains("民國或西元皆可，例如 115/12/07 或 2026-12-07。"))
            let closed = try await admin.post("/staff/calendar", form: ["day": "115/3/9", "reason": "盤點"])
            XCTAssertEqual(closed.status, .seeOther)
            let stored = try await LibraryClosedDay.query(on: app.db).all().map(\.day)
            XCTAssertEqual(stored, ["2026-03-09"])
        }
    }
}
