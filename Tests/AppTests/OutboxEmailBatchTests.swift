import Fluent
import XCTVapor
@testable import App

/// Issue #13 item 6: a group batch's emails are rendered once with stand-ins and filled in per card
/// (`OutboxEmailBatch`); each stored message must be the one `Outbox.email` renders for that card.
final class OutboxEmailBatchTests: XCTestCase {
    func testEachMessageIsTheOneOutboxEmailRenders() async throws {
        try await withTestApp { app in
            let outbox = Outbox(localizer: app.localizer, settings: app.settings, vault: app.vault, now: Date(timeIntervalSince1970: 1_790_000_000))
            let library = try await Library.require(code: "NLPI", on: app.db)
            let sender = (library, try await LibraryMailSettings.of(library, on: app.db))
            let fixed = ["library": "國立公共資訊圖書館", "organization": "效能 & <測試> 國中", "days": "30"]
            for locale in [SiteLocale.zhTW, .en] {
                let batch = try OutboxEmailBatch(outbox: outbox, template: "group_card_issued", locale: locale, values: fixed,
                                                 varying: ["name", "card"], secrets: ["link"], from: sender)
                for name in ["王小明", "O'Brien <\"Q\"> & Co\\\n\u{1}\t", "https://looks.like/a-link", "\u{E002}card\u{E003}"] {
                    let values = ["name": name, "card": "1005000500007"]
                    let secrets = ["link": "https://onecard.example/login/activate?token=abc&x=\"1\""]
                    let fast = try batch.email(to: "reader@example.org", values: values, secrets: secrets)
                    let slow = try outbox.email(template: "group_card_issued", to: "reader@example.org", locale: locale,
                                                values: fixed.merging(values) { $1 }, secrets: secrets, from: sender)
                    var fastMessage = try JSONDecoder().decode(MailMessage.self, from: Data(fast.payload.utf8))
                    let slowMessage = try JSONDecoder().decode(MailMessage.self, from: Data(slow.payload.utf8))
                    XCTAssertNotEqual(fastMessage.messageID, slowMessage.messageID, "each message its own id")
                    XCTAssertTrue(fastMessage.messageID.hasSuffix("@onecard"))
                    fastMessage.messageID = slowMessage.messageID
                    XCTAssertEqual(fastMessage, slowMessage, "\(locale) \(name)")
                    XCTAssertFalse(fast.payload.contains("token=abc"), "the link is sealed, not stored")
                    let revealedFast = try OutboxSecrets.reveal(fastMessage, sealed: fast.secretsSealed, with: app.vault)
                    let revealedSlow = try OutboxSecrets.reveal(slowMessage, sealed: slow.secretsSealed, with: app.vault)
                    XCTAssertEqual(revealedFast, revealedSlow)
                    XCTAssertTrue(revealedFast.body.contains("token=abc"))
                    XCTAssertEqual(fast.availableAt, slow.availableAt)
                    XCTAssertEqual(fast.kind, .email)
                }
            }
        }
    }
}
