import Crypto
import Fluent
import Foundation
import NIOConcurrencyHelpers
import XCTVapor
@testable import App

/// A partner library's system, as a real HTTP server on a loopback port: checks each request's
/// signature, answers 503 while `down`, and keeps every event it accepted.
final class PartnerReceiver: Sendable {
    struct Received: Sendable {
        let body: PartnerEventBody
        let idempotencyKey: String
        let eventHeader: String
    }

    private let state = NIOLockedValueBox<(down: Bool, accepted: [Received], refused: Int, badSignatures: Int)>((false, [], 0, 0))
    let app: Application
    let secret: NIOLockedValueBox<String> = .init("")
    /// Test deliveries (`OneCard-Event: ping`), signature checked as for the events.
    private let pingsReceived = NIOLockedValueBox<[PartnerPing]>([])
    var pings: [PartnerPing] { pingsReceived.withLockedValue { $0 } }

    var accepted: [Received] { state.withLockedValue { $0.accepted } }
    var refused: Int { state.withLockedValue { $0.refused } }
    var badSignatures: Int { state.withLockedValue { $0.badSignatures } }
    func setDown(_ down: Bool) { state.withLockedValue { $0.down = down } }

    private init(app: Application) {
        self.app = app
    }

    static func start() async throws -> PartnerReceiver {
        let app = try await Application.make(.testing)
        let receiver = PartnerReceiver(app: app)
        app.logger.logLevel = .error
        app.post("hooks") { [receiver] req async throws -> HTTPStatus in
            try receiver.receive(req)
        }
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = 0
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        return receiver
    }

    var url: String { "http://127.0.0.1:\(app.http.server.shared.localAddress!.port!)/hooks" }

    func stop() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }

    private func receive(_ req: Request) throws -> HTTPStatus {
        if state.withLockedValue({ $0.down }) {
            state.withLockedValue { $0.refused += 1 }
            return .serviceUnavailable
        }
        let body = Data(buffer: req.body.data ?? ByteBuffer())
        // OneCard-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">
        let parts = Dictionary(uniqueKeysWithValues: (req.headers.first(name: PartnerWebhookDelivery.signatureHeader) ?? "")
            .split(separator: ",").compactMap { part -> (String, String)? in
                let pair = part.split(separator: "=", maxSplits: 1)
                return pair.count == 2 ? (String(pair[0]), String(pair[1])) : nil
            })
        var signed = Data("\(parts["t"] ?? "").".utf8)
        signed.append(body)
        let expected = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.withLockedValue { $0 }.utf8)))
            .map { String(format: "%02x", $0) }.joined()
        guard parts["v1"] == expected else {
            state.withLockedValue { $0.badSignatures += 1 }
            return .unauthorized
        }
        if req.headers.first(name: PartnerWebhookDelivery.eventHeader) == PartnerPing.eventType {
            let ping = try JSONDecoder.partnerEvents.decode(PartnerPing.self, from: body)
            pingsReceived.withLockedValue { $0.append(ping) }
            return .noContent
        }
        let decoded = try JSONDecoder.partnerEvents.decode(PartnerEventBody.self, from: body)
        let received = Received(body: decoded, idempotencyKey: req.headers.first(name: "Idempotency-Key") ?? "",
                                eventHeader: req.headers.first(name: PartnerWebhookDelivery.eventHeader) ?? "")
        state.withLockedValue { $0.accepted.append(received) }
        return .noContent
    }
}

final class PartnerWebhookTests: XCTestCase {
    func withReceiver(_ body: (PartnerReceiver) async throws -> Void) async throws {
        let receiver = try await PartnerReceiver.start()
        do {
            try await body(receiver)
        } catch {
            try await receiver.stop()
            throw error
        }
        try await receiver.stop()
    }

    func testEnablingAPartnerSendsASignedEventWithTheReadersDataAndDisablingSendsNone() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            try await withReceiver { receiver in
                                let secret = try await PartnerEndpoints.configure(libraryCode: "NTPL", url: receiver.url, allowsPlainHTTP: app.environment != .production, database: app.db, vault: app.vault, now: app.clock.now())
                receiver.secret.withLockedValue { $0 = secret }
                let endpoint = try await PartnerEndpoint.query(on: app.db).first()
                XCTAssertNotEqual(endpoint?.secretSealed, secret, "the secret is sealed at rest")
                XCTAssertFalse(endpoint?.secretSealed.contains(secret) ?? true)

                let (browser, patron) = try await signedInReader(app)
                try await app.outboxWorker.deliverDue() // the application's emails
                try await browser.get("/account/partners/NTPL")
                try await browser.post("/account/partners/NTPL", form: ["decision": "agree"])
                let queued = try await OutboxMessage.query(on: app.db).filter(\.$kind == .partnerEvent).all()
                XCTAssertEqual(queued.count, 1, "queued in the same transaction as the link")
                XCTAssertFalse(queued[0].payload.contains("王小明"), "the queue holds references, not personal data")

                let delivered = try await app.outboxWorker.deliverDue()
                XCTAssertEqual(delivered, 1)
                XCTAssertEqual(receiver.badSignatures, 0)
                let event = try XCTUnwrap(receiver.accepted.first)
                XCTAssertEqual(event.body.type, .linkCreated)
                XCTAssertEqual(event.eventHeader, "link.created")
                XCTAssertEqual(event.body.partner, "NTPL")
                XCTAssertEqual(event.body.card.cardNumber, patron.cardNumber)
                XCTAssertEqual(event.body.card.homeLibrary, "TPML")
                XCTAssertEqual(event.body.person?.name, "王小明")
                XCTAssertEqual(event.body.person?.email, "wang@example.org")
                XCTAssertEqual(event.idempotencyKey, event.body.id.uuidString.lowercased())

                try await browser.get("/account/partners/NTPL/disable")
                try await browser.post("/account/partners/NTPL/disable", form: ["confirm": "yes"])
                try await app.outboxWorker.deliverDue()
                let withdrawn = try XCTUnwrap(receiver.accepted.last)
                XCTAssertEqual(withdrawn.body.type, .linkWithdrawn)
                XCTAssertEqual(withdrawn.body.card.cardNumber, patron.cardNumber)
                XCTAssertNil(withdrawn.body.person, "after withdrawal the partner gets no personal data")

                // A receiver with another secret refuses the signature: the delivery is retried, not lost.
                receiver.secret.withLockedValue { $0 = "not-the-secret" }
                try await browser.get("/account/partners/NTPL")
                try await browser.post("/account/partners/NTPL", form: ["decision": "agree"])
                let refused = try await app.outboxWorker.deliverDue()
                XCTAssertEqual(refused, 0)
                XCTAssertEqual(receiver.badSignatures, 1)
                let pending = try await OutboxMessage.query(on: app.db).filter(\.$status == .pending).all()
                XCTAssertEqual(pending.map(\.lastError), ["endpoint answered HTTP 401"])
                XCTAssertFalse(pending[0].lastError!.contains(secret))
            }
        }
    }

    /// A card's 有效期限 passing changes nothing in its row, yet the linked partner's `valid` and `mayBorrow`
    /// change: housekeeping tells it with one `patron.updated` per 有效期限, whose card says so.
    func testAPassing有效期限IsAnnouncedToLinkedPartnersOnceWithValidAndMayBorrow() async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_795_000_000)) // 2026-11-18, Taipei
        try await withTestApp(clock: clock) { app in
            try await withReceiver { receiver in
                let secret = try await PartnerEndpoints.configure(libraryCode: "NTPL", url: receiver.url, allowsPlainHTTP: true,
                                                                  database: app.db, vault: app.vault, now: app.clock.now())
                receiver.secret.withLockedValue { $0 = secret }
                let (browser, patron) = try await signedInReader(app)
                try await app.outboxWorker.deliverDue()
                try await browser.get("/account/partners/NTPL")
                try await browser.post("/account/partners/NTPL", form: ["decision": "agree"])
                try await app.outboxWorker.deliverDue()
                let linked = try XCTUnwrap(receiver.accepted.last)
                XCTAssertEqual(linked.body.type, .linkCreated)
                XCTAssertEqual(linked.body.card.valid, true)
                XCTAssertEqual(linked.body.card.mayBorrow, true)

                patron.cardValidUntil = "2026-11-18"
                try await patron.save(on: app.db)
                let onItsLastDay = try await CardExpiryEvents(database: app.db, now: clock.now).run()
                XCTAssertEqual(onItsLastDay, 0, "valid through its last day")

                clock.advance(by: 86_400)
                let announced = try await CardExpiryEvents(database: app.db, now: clock.now).run()
                XCTAssertEqual(announced, 1)
                let again = try await CardExpiryEvents(database: app.db, now: clock.now.addingTimeInterval(3_600)).run()
                XCTAssertEqual(again, 0, "once per 有效期限, not every hour")
                try await app.outboxWorker.deliverDue()
                let expired = try XCTUnwrap(receiver.accepted.last)
                XCTAssertEqual(expired.body.type, .patronUpdated)
                XCTAssertEqual(expired.eventHeader, "patron.updated")
                XCTAssertEqual(expired.body.card.cardNumber, patron.cardNumber)
                XCTAssertEqual(expired.body.card.standing, "expired")
                XCTAssertEqual(expired.body.card.validUntil, "2026-11-18")
                XCTAssertEqual(expired.body.card.valid, false)
                XCTAssertEqual(expired.body.card.mayBorrow, false)
                XCTAssertEqual(receiver.accepted.count, 2)

                // Renewed, then past its new 有效期限: announced again.
                patron.cardValidUntil = "2026-11-20"
                try await patron.save(on: app.db)
                clock.advance(by: 2 * 86_400)
                let renewedAndPast = try await CardExpiryEvents(database: app.db, now: clock.now).run()
                XCTAssertEqual(renewedAndPast, 1)
            }
        }
    }

    /// The issue's test: 200 link changes while the partner's endpoint is down; after it comes back
    /// every event arrives exactly once, and each reader's events in the order they happened.
    func testTwoHundredLinkChangesWhileThePartnerIsDownArriveOnceAndInOrder() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            try await withReceiver { receiver in
                let secret = try await PartnerEndpoints.configure(libraryCode: "NTPL", url: receiver.url, allowsPlainHTTP: app.environment != .production, database: app.db, vault: app.vault, now: app.clock.now())
                receiver.secret.withLockedValue { $0 = secret }
                receiver.setDown(true)
                let readers = 10
                var browsers: [(TestBrowser, Patron)] = []
                for n in 0..<readers {
                    browsers.append(try await signedInReader(app, idNumber: nationalID(2000 + n)))
                }
                try await app.outboxWorker.deliverDue() // the applications' emails
                // 20 changes per reader, alternating 啟用 and 停用, interleaved across readers; the worker
                // runs between rounds and keeps failing against the down endpoint.
                for round in 0..<20 {
                    for (browser, _) in browsers {
                        if round.isMultiple(of: 2) {
                            try await browser.get("/account/partners/NTPL")
                            let response = try await browser.post("/account/partners/NTPL", form: ["decision": "agree"])
                            XCTAssertEqual(response.status, .seeOther)
                        } else {
                            try await browser.get("/account/partners/NTPL/disable")
                            let response = try await browser.post("/account/partners/NTPL/disable", form: ["confirm": "yes"])
                            XCTAssertEqual(response.status, .seeOther)
                        }
                    }
                    let delivered = try await app.outboxWorker.deliverDue()
                    XCTAssertEqual(delivered, 0)
                    clock.advance(by: 60)
                }
                let queued = try await OutboxMessage.query(on: app.db).filter(\.$kind == .partnerEvent).count()
                XCTAssertEqual(queued, 200)
                XCTAssertGreaterThan(receiver.refused, 0, "the endpoint really was tried while down")

                // Administrators see the deliveries that keep failing.
                let admin = try await signedInStaff(app, role: "admin", library: "NTPL", email: "admin@ntpl.example")
                let page = try await admin.get("/staff/deliveries")
                XCTAssertEqual(page.status, .ok)
                XCTAssertTrue(page.text.contains("link.created"))
                XCTAssertTrue(page.text.contains("endpoint answered HTTP 503"))
                let otherLibrary = try await signedInStaff(app, role: "admin", library: "HCPL", email: "admin@hcpl.example")
                let elsewhere = try await otherLibrary.get("/staff/deliveries")
                XCTAssertTrue(elsewhere.text.contains("目前沒有傳送失敗的通知"), "another library's admin sees none of it")

                receiver.setDown(false)
                clock.advance(by: 3600)
                try await app.outboxWorker.deliverDue()
                let accepted = receiver.accepted
                XCTAssertEqual(accepted.count, 200)
                XCTAssertEqual(Set(accepted.map(\.idempotencyKey)).count, 200, "each event exactly once")
                for (_, patron) in browsers {
                    let mine = accepted.filter { $0.body.card.cardNumber == patron.cardNumber }
                    XCTAssertEqual(mine.count, 20)
                    let expected = (0..<20).map { $0.isMultiple(of: 2) ? PartnerEventType.linkCreated : .linkWithdrawn }
                    XCTAssertEqual(mine.map(\.body.type), expected, "in the order they happened")
                    XCTAssertEqual(mine.map(\.body.sequence), mine.map(\.body.sequence).sorted())
                    XCTAssertEqual(mine.map(\.body.occurredAt), mine.map(\.body.occurredAt).sorted())
                    // The last change was 停用, so no event carries personal data any more.
                    XCTAssertTrue(mine.allSatisfy { $0.body.person == nil })
                }
                let again = try await app.outboxWorker.deliverDue()
                XCTAssertEqual(again, 0)
                XCTAssertEqual(receiver.accepted.count, 200, "nothing is sent twice")
                let cleared = try await admin.get("/staff/deliveries")
                XCTAssertTrue(cleared.text.contains("目前沒有傳送失敗的通知"))
            }
        }
    }

    func testAnAdministratorCanRetryADeliveryThatGaveUp() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            try await withReceiver { receiver in
                let secret = try await PartnerEndpoints.configure(libraryCode: "NTPL", url: receiver.url, allowsPlainHTTP: app.environment != .production, database: app.db, vault: app.vault, now: app.clock.now())
                receiver.secret.withLockedValue { $0 = secret }
                receiver.setDown(true)
                let (browser, _) = try await signedInReader(app)
                try await browser.get("/account/partners/NTPL")
                try await browser.post("/account/partners/NTPL", form: ["decision": "agree"])
                for _ in 0..<12 {
                    try await app.outboxWorker.deliverDue()
                    clock.advance(by: 3600)
                }
                let message = try await XCTUnwrapAsync(await OutboxMessage.query(on: app.db).filter(\.$kind == .partnerEvent).first())
                XCTAssertEqual(message.status, .failed)
                let admin = try await signedInStaff(app, role: "admin", library: "TPML", email: "admin@tpml.example")
                let page = try await admin.get("/staff/deliveries")
                XCTAssertTrue(page.text.contains("已停止重試"))
                receiver.setDown(false)
                let retried = try await admin.post("/staff/deliveries/\(message.id!)/retry", form: [:])
                XCTAssertEqual(retried.headers.first(name: .location), "/staff/deliveries?retried=1")
                try await app.outboxWorker.deliverDue()
                XCTAssertEqual(receiver.accepted.map(\.body.type), [.linkCreated])
                let desk = try await signedInStaff(app, role: "desk", library: "TPML", email: "desk@tpml.example")
                let forbidden = try await desk.get("/staff/deliveries")
                XCTAssertEqual(forbidden.status, .forbidden)
                let audited = try await AuditEvent.query(on: app.db).filter(\.$action == "partner_delivery.retried").count()
                XCTAssertEqual(audited, 1)
            }
        }
    }

    func testActivatingACardWithPartnersChosenInTheApplicationNotifiesThem() async throws {
        try await withTestApp { app in
            try await withReceiver { receiver in
                let secret = try await PartnerEndpoints.configure(libraryCode: "NTPL", url: receiver.url, allowsPlainHTTP: app.environment != .production, database: app.db, vault: app.vault, now: app.clock.now())
                receiver.secret.withLockedValue { $0 = secret }
                let pending = try await submitApplication(app, links: ["NTPL", "KLPL"])
                var queued = try await OutboxMessage.query(on: app.db).filter(\.$kind == .partnerEvent).count()
                XCTAssertEqual(queued, 0, "nothing is sent for an application that has no card yet")
                try await activateCard(app, pending)
                queued = try await OutboxMessage.query(on: app.db).filter(\.$kind == .partnerEvent).count()
                XCTAssertEqual(queued, 2, "one per partner")
                try await app.outboxWorker.deliverDue()
                XCTAssertEqual(receiver.accepted.map(\.body.partner), ["NTPL"], "only NTPL has an endpoint")
                let waiting = try await OutboxMessage.query(on: app.db).filter(\.$status == .pending).all()
                XCTAssertEqual(waiting.map(\.lastError), ["no enabled endpoint for this partner"])
            }
        }
    }
}
