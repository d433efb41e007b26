import Fluent
import Foundation
import XCTVapor
@testable import App

/// The seed's section 二: 登入 → 我的帳戶 → 合作館服務 → 啟用 → 啟用服務聲明 → 同意 → 確定.
final class PartnerServicesTests: XCTestCase {
    func testTheListShowsTheSeedsPartnersInOrderWithEnable() async throws {
        try await withTestApp { app in
            let (browser, _) = try await signedInReader(app)
            let account = try await browser.get("/account")
            XCTAssertTrue(account.text.contains(#"<a href="/account/partners">合作館服務</a>"#))
            let html = try await browser.get("/account/partners").text
            let names = ["與台北通結合", "啟用新北市公共圖書館一證通用服務", "啟用基隆市公共圖書館一證通用服務", "啟用新竹縣公共圖書館一證通用服務"]
            let positions = names.map { html.range(of: "▶ \($0)")?.lowerBound }
            XCTAssertTrue(positions.allSatisfy { $0 != nil }, "every partner of the seed is listed")
            XCTAssertEqual(positions.compactMap { $0 }, positions.compactMap { $0 }.sorted(), "in the seed's order")
            XCTAssertTrue(html.contains(#"<a class="button" href="/account/partners/NTPL""#))
            XCTAssertTrue(html.contains("與台北通結合需以台北通帳號登入驗證"))
            let anonymous = try await TestBrowser(app).get("/account/partners")
            XCTAssertEqual(anonymous.headers.first(name: .location), "/login")
        }
    }

    func testEnablingRecordsTheConsentVersionAndDisablingWithdrawsIt() async throws {
        try await withTestApp { app in
            let (browser, patron) = try await signedInReader(app)
            let statement = try await browser.get("/account/partners/NTPL")
            XCTAssertTrue(statement.text.contains("<h1>啟用服務聲明</h1>"))
            XCTAssertTrue(statement.text.contains("結合新北市圖借閱證個人資料同意書"))
            XCTAssertTrue(statement.text.contains(#"value="disagree" class="secondary">不同意</button>"#))
            XCTAssertTrue(statement.text.contains(#"value="agree">同意</button>"#))

            let declined = try await browser.post("/account/partners/NTPL", form: ["decision": "disagree"])
            XCTAssertEqual(declined.headers.first(name: .location), "/account/partners")
            var count = try await PartnerLink.query(on: app.db).count()
            XCTAssertEqual(count, 0, "不同意 changes nothing")

            let agreed = try await browser.post("/account/partners/NTPL", form: ["decision": "agree"])
            XCTAssertEqual(agreed.headers.first(name: .location), "/account/partners/NTPL/done")
            let done = try await browser.get("/account/partners/NTPL/done")
            XCTAssertTrue(done.text.contains("已啟用「啟用新北市公共圖書館一證通用服務」"))
            XCTAssertTrue(done.text.contains(#"<a class="button" href="/account/partners">確定</a>"#))
            let link = try await XCTUnwrapAsync(await PartnerLink.query(on: app.db).with(\.$consentRecord) { $0.with(\.$document) }.first())
            XCTAssertEqual(link.status, .active)
            XCTAssertEqual(link.consentRecord.document.code, "NTPL_LINK")
            XCTAssertEqual(link.consentRecord.document.version, 1)
            XCTAssertEqual(link.consentRecord.channel, "web")
            let listed = try await browser.get("/account/partners").text
            XCTAssertTrue(listed.contains("<td>已啟用</td>"))

            // New Taipei's desk now sees this reader; after 停用 it no longer does.
            var visible = try await PatronVisibility.isVisible(patron, toLibrary: try await ntpl(app), on: app.db)
            XCTAssertTrue(visible)
            try await browser.get("/account/partners/NTPL/disable")
            let disabled = try await browser.post("/account/partners/NTPL/disable", form: ["confirm": "yes"])
            XCTAssertEqual(disabled.headers.first(name: .location), "/account/partners?disabled=1")
            let withdrawn = try await PartnerLink.query(on: app.db).with(\.$consentRecord).first()
            XCTAssertEqual(withdrawn?.status, .withdrawn)
            XCTAssertNotNil(withdrawn?.consentRecord.withdrawnAt)
            visible = try await PatronVisibility.isVisible(patron, toLibrary: try await ntpl(app), on: app.db)
            XCTAssertFalse(visible)
            let account = try await browser.get("/account").text
            XCTAssertTrue(account.contains("(已撤回)"))

            try await browser.get("/account/partners/NTPL")
            try await browser.post("/account/partners/NTPL", form: ["decision": "agree"])
            count = try await ConsentRecord.query(on: app.db).join(ConsentDocument.self, on: \ConsentRecord.$document.$id == \ConsentDocument.$id)
                .filter(ConsentDocument.self, \.$code == "NTPL_LINK").count()
            XCTAssertEqual(count, 2, "each agreement is its own record")
            let actions = try await AuditEvent.query(on: app.db).filter(\.$action ~~ ["partner_link.enabled", "partner_link.disabled"]).count()
            XCTAssertEqual(actions, 3)
        }
    }

    /// #17 item 2: 停用 is not one tap. The list's 停用 opens a page saying what will happen (the partner is
    /// told, the card stops working there, how to turn it back on) with 取消 / 確定停用; neither that page
    /// nor a post without the confirmation withdraws anything or queues a partner event.
    func testDisablingAsksForConfirmationFirstAndCancelChangesNothing() async throws {
        try await withTestApp { app in
            let (browser, _) = try await signedInReader(app)
            try await browser.get("/account/partners/NTPL")
            try await browser.post("/account/partners/NTPL", form: ["decision": "agree"])
            let eventsBefore = try await OutboxMessage.query(on: app.db).filter(\.$kind == .partnerEvent).count()
            XCTAssertEqual(eventsBefore, 1, "link.created")

            let list = try await browser.get("/account/partners").text
            XCTAssertTrue(list.contains(#"<a class="button secondary" href="/account/partners/NTPL/disable" aria-label="停用 啟用新北市公共圖書館一證通用服務">停用</a>"#), list)
            XCTAssertFalse(list.contains(#"<form method="post" action="/account/partners/NTPL/disable">"#), "no one-tap post from the list")

            let confirm = try await browser.get("/account/partners/NTPL/disable")
            XCTAssertEqual(confirm.status, .ok)
            XCTAssertTrue(confirm.text.contains("<h1>停用合作館服務</h1>"), confirm.text)
            XCTAssertTrue(confirm.text.contains("確定要停用新北市立圖書館一證通用服務嗎？停用後："))
            XCTAssertTrue(confirm.text.contains("本館會通知新北市立圖書館：您已撤回同意，新北市立圖書館不再取得您的個人資料。"))
            XCTAssertTrue(confirm.text.contains("您的借閱證將無法在新北市立圖書館使用（借閱、預約、續借）。"))
            XCTAssertTrue(confirm.text.contains("日後若要再使用，請至「合作館服務」按「啟用」，重新閱讀並同意服務聲明即可。"))
            XCTAssertTrue(confirm.text.contains(#"<a class="button secondary" href="/account/partners">取消</a>"#))
            XCTAssertTrue(confirm.text.contains(#"<form method="post" action="/account/partners/NTPL/disable">"#))
            XCTAssertTrue(confirm.text.contains(#"<button type="submit" name="confirm" value="yes" class="danger">確定停用</button>"#))
            XCTAssertTrue(confirm.text.contains(#"name="_csrf""#))

            // A post without the confirmation (an old list page, a double tap) is sent to the question.
            let unconfirmed = try await browser.post("/account/partners/NTPL/disable", form: [:])
            XCTAssertEqual(unconfirmed.status, .seeOther)
            XCTAssertEqual(unconfirmed.headers.first(name: .location), "/account/partners/NTPL/disable")
            var link = try await PartnerLink.query(on: app.db).with(\.$consentRecord).first()
            XCTAssertEqual(link?.status, .active)
            XCTAssertNil(link?.consentRecord.withdrawnAt)
            var events = try await OutboxMessage.query(on: app.db).filter(\.$kind == .partnerEvent).count()
            XCTAssertEqual(events, 1, "the partner is told nothing yet")

            // Without the CSRF token the confirmation is refused too.
            let forged = try await browser.post("/account/partners/NTPL/disable", form: ["confirm": "yes"], includeCSRF: false)
            XCTAssertEqual(forged.status, .forbidden)
            link = try await PartnerLink.query(on: app.db).with(\.$consentRecord).first()
            XCTAssertEqual(link?.status, .active)

            let confirmed = try await browser.post("/account/partners/NTPL/disable", form: ["confirm": "yes"])
            XCTAssertEqual(confirmed.headers.first(name: .location), "/account/partners?disabled=1")
            link = try await PartnerLink.query(on: app.db).with(\.$consentRecord).first()
            XCTAssertEqual(link?.status, .withdrawn)
            XCTAssertNotNil(link?.consentRecord.withdrawnAt)
            events = try await OutboxMessage.query(on: app.db).filter(\.$kind == .partnerEvent).count()
            XCTAssertEqual(events, 2, "link.withdrawn is queued by the confirmation")
        }
    }

    func testHsinchuCountyHasItsConsentAndTaipeiPassNeedsItsOwnSignIn() async throws {
        try await withTestApp { app in
            let (browser, _) = try await signedInReader(app)
            let hsinchu = try await browser.get("/account/partners/HCPL")
            XCTAssertTrue(hsinchu.text.contains("結合新竹縣公共圖書館借閱證個人資料同意書"))
            let taipeiPass = try await browser.get("/account/partners/TAIPEI_PASS")
            XCTAssertEqual(taipeiPass.status, .conflict)
            XCTAssertTrue(taipeiPass.text.contains("與台北通結合需以台北通帳號登入驗證"))
            let unknown = try await browser.get("/account/partners/TCPL")
            XCTAssertEqual(unknown.status, .notFound, "Taipei does not offer Taichung")
        }
    }

    func ntpl(_ app: Application) async throws -> UUID {
        try await Library.query(on: app.db).filter(\.$code == "NTPL").first()!.requireID()
    }
}
