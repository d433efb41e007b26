import Fluent
import Foundation
import XCTVapor
@testable import App

/// Issue #14 item 6, libraries: an administrator's service desks and partner services, the consortium
/// administrator's member libraries; and two small fixes of the back office (whose trail a look is in, and
/// the dashboard's failing deliveries counted in SQL).
final class LibraryAdministrationTests: XCTestCase {
    func libraryID(_ app: Application, _ code: String) async throws -> UUID {
        try await Library.require(code: code, on: app.db).requireID()
    }

    /// The part of a page from `marker` to the end of its list item (one dashboard queue).
    func section(_ html: String, from marker: String) -> String {
        guard let start = html.range(of: marker) else { return "" }
        let rest = html[start.lowerBound...]
        return String(rest[..<(rest.range(of: "</li>")?.upperBound ?? rest.endIndex)])
    }

    // MARK: Small fixes

    func testALookAtAPatronIsInTheTrailOfTheLibraryThatLookedNotTheHomeLibrarys() async throws {
        try await withTestApp { app in
            let linked = try await activateCard(app, try await submitApplication(app, idNumber: "F234567898", links: ["NTPL"]))
            let newTaipei = try await signedInStaff(app, library: "NTPL", email: "desk@ntpl.example")
            let desk = try await newTaipei.get("/staff/applications/\(linked.id!.uuidString)")
            XCTAssertEqual(desk.status, .ok)
            let record = try await newTaipei.get("/staff/patrons/\(linked.id!.uuidString)")
            XCTAssertEqual(record.status, .ok)
            let revealed = try await newTaipei.post("/staff/patrons/\(linked.id!.uuidString)/id-number", form: [:])
            XCTAssertEqual(revealed.status, .ok)
            let ntpl = try await libraryID(app, "NTPL")
            for action in ["patron.viewed", "patron.record_viewed", "patron.id_number_revealed"] {
                let looks = try await AuditEvent.query(on: app.db).filter(\.$action == action).all()
                XCTAssertEqual(looks.count, 1, action)
                XCTAssertEqual(looks.first?.subjectID, linked.id!.uuidString, action)
                XCTAssertEqual(looks.first?.libraryID, ntpl, "\(action) is in New Taipei's trail, the library that looked")
            }
            // The reader's 個人資料查閱紀錄 names New Taipei for each of them.
            let reader = TestBrowser(app)
            try await reader.get("/login")
            try await reader.post("/login", form: ["identifier": linked.cardNumber!, "password": "river lantern mango"])
            let log = try await reader.get("/account/access-log")
            XCTAssertEqual(log.status, .ok)
            XCTAssertTrue(log.text.contains("新北市立圖書館"))
        }
    }

    func testTheDashboardCountsALibrarysFailingDeliveriesInSQLWhateverTheOtherLibrariesHave() async throws {
        try await withTestApp { app in
            let (tpml, ntpl, klpl) = (try await libraryID(app, "TPML"), try await libraryID(app, "NTPL"), try await libraryID(app, "KLPL"))
            let now = app.clock.now()
            func delivery(partner: UUID, home: UUID, status: OutboxMessage.Status, attempts: Int) throws -> OutboxMessage {
                let queued = PartnerEvents.Queued(eventID: UUID(), type: .linkCreated, occurredAt: now, partnerLibraryID: partner,
                                                  patronID: UUID(), homeLibraryID: home, cardNumber: nil)
                let message = OutboxMessage(kind: .partnerEvent, partitionKey: "partner:\(partner.uuidString):patron:\(queued.patronID.uuidString)",
                                            payload: String(decoding: try JSONEncoder.partnerEvents.encode(queued), as: UTF8.self), now: now)
                message.partnerLibraryID = partner
                message.homeLibraryID = home
                message.status = status
                message.attempts = attempts
                return message
            }
            // A thousand and one failing deliveries between two other libraries, queued first…
            try await (0..<1001).map { _ in try delivery(partner: klpl, home: ntpl, status: .failed, attempts: 8) }.create(on: app.db)
            // …then Taipei's: one given up, one still retrying after three attempts, one too new to show.
            try await [delivery(partner: tpml, home: ntpl, status: .failed, attempts: 8),
                       delivery(partner: klpl, home: tpml, status: .pending, attempts: 3),
                       delivery(partner: tpml, home: klpl, status: .pending, attempts: 1)].create(on: app.db)

            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let home = try await admin.get("/staff")
            let deliveries = section(home.text, from: #"<h3><a href="/staff/deliveries">"#)
            XCTAssertTrue(deliveries.contains(#"class="queue-count">2<"#), "Taipei's two, not the first thousand rows': \(deliveries)")
            XCTAssertTrue(deliveries.contains(#"<span class="overdue-mark">1</span>"#), deliveries)
        }
    }
}
