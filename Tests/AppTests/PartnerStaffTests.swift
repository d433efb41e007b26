import Fluent
import Foundation
import OneCardDomain
import XCTVapor
@testable import App

/// Issue #12 item 12: a partner library's staff see a patron who linked their library (or whose
/// application ticked it), and change nothing of the record; the home library's staff do everything.
final class PartnerStaffTests: XCTestCase {
    func audits(_ app: Application, _ action: String) async throws -> Int {
        try await AuditEvent.query(on: app.db).filter(\.$action == action).count()
    }

    func testAPartnerDeskSeesALinkedTaipeiApplicationButCannotActivateItTheHomeDeskCan() async throws {
        try await withTestApp { app in
            let pending = try await submitApplication(app, links: ["NTPL"])
            let path = "/staff/applications/\(pending.id!.uuidString)"
            let newTaipei = try await signedInStaff(app, library: "NTPL", email: "desk@ntpl.example")
            let found = try await newTaipei.get("/staff/applications?q=A123456789")
            XCTAssertTrue(found.text.contains(pending.applicationNumber), "seeing is right")
            let seen = try await newTaipei.get(path)
            XCTAssertEqual(seen.status, .ok)
            XCTAssertTrue(seen.text.contains("臺北市立圖書館"), "the home library is named")
            XCTAssertTrue(seen.text.contains("開通、升級、停權、復權與有效期限須由所屬圖書館的館員辦理"))
            XCTAssertFalse(seen.text.contains(path + "/activate"), "no activation form")

            try await newTaipei.get("/staff") // a page with a form, for the session's CSRF token
            let activate = try await newTaipei.post(path + "/activate", form: ["documentChecked": "yes"])
            XCTAssertEqual(activate.status, .forbidden)
            XCTAssertTrue(activate.text.contains("只有所屬圖書館的館員可以辦理這項作業"))
            let still = try await Patron.find(pending.id, on: app.db)
            XCTAssertEqual(still?.status, .pending)
            XCTAssertNil(still?.cardNumber)
            let none = try await audits(app, "card.activated")
            XCTAssertEqual(none, 0)

            let taipei = try await signedInStaff(app)
            let page = try await taipei.get(path)
            XCTAssertTrue(page.text.contains(path + "/activate"))
            XCTAssertFalse(page.text.contains("home-library-only"))
            let activated = try await taipei.post(path + "/activate", form: ["documentChecked": "yes"])
            XCTAssertEqual(activated.status, .seeOther)
            let active = try await Patron.find(pending.id, on: app.db)
            XCTAssertEqual(active?.status, .active)
        }
    }

    func testAPartnerDeskCannotChangeALinkedCardsExpiryOrStandingTheHomeDeskCan() async throws {
        try await withTestApp { app in
            let patron = try await activateCard(app, try await submitApplication(app, links: ["NTPL"]))
            let path = "/staff/applications/\(patron.id!.uuidString)"
            let newTaipei = try await signedInStaff(app, library: "NTPL", email: "desk@ntpl.example")
            let seen = try await newTaipei.get(path)
            XCTAssertEqual(seen.status, .ok)
            XCTAssertTrue(seen.text.contains(patron.cardNumber!), "the card and its status are shown")
            XCTAssertTrue(seen.text.contains("正常"), seen.text)
            for form in ["/suspend", "/valid-until", "/reinstate", "/upgrade"] {
                XCTAssertFalse(seen.text.contains(path + form), "no \(form) form for a partner library")
            }

            try await newTaipei.get("/staff") // a page with a form, for the session's CSRF token
            let expiry = try await newTaipei.post(path + "/valid-until", form: ["validUntil": "2030-12-31"])
            XCTAssertEqual(expiry.status, .forbidden)
            XCTAssertTrue(expiry.text.contains("只有所屬圖書館的館員可以辦理這項作業"))
            let suspend = try await newTaipei.post(path + "/suspend", form: ["reason": "跨館逾期"])
            XCTAssertEqual(suspend.status, .forbidden)
            var stored = try await Patron.find(patron.id, on: app.db)
            XCTAssertNil(stored?.cardValidUntil)
            XCTAssertNil(stored?.suspendedAt)
            let changes = try await audits(app, "card.valid_until_changed") + audits(app, "card.suspended")
            XCTAssertEqual(changes, 0)

            // The home library's desk does all of it; a partner cannot reinstate what it suspended either.
            let taipei = try await signedInStaff(app)
            try await taipei.get(path)
            let extended = try await taipei.post(path + "/valid-until", form: ["validUntil": "2030-12-31"])
            XCTAssertEqual(extended.status, .seeOther)
            let suspended = try await taipei.post(path + "/suspend", form: ["reason": "逾期未還書"])
            XCTAssertEqual(suspended.status, .seeOther)
            try await newTaipei.get("/staff")
            let reinstateByPartner = try await newTaipei.post(path + "/reinstate", form: [:])
            XCTAssertEqual(reinstateByPartner.status, .forbidden)
            stored = try await Patron.find(patron.id, on: app.db)
            XCTAssertNotNil(stored?.suspendedAt)
            try await taipei.get(path)
            let reinstated = try await taipei.post(path + "/reinstate", form: [:])
            XCTAssertEqual(reinstated.status, .seeOther)
            stored = try await Patron.find(patron.id, on: app.db)
            XCTAssertEqual(stored?.cardValidUntil, "2030-12-31")
            XCTAssertNil(stored?.suspendedAt)
        }
    }
}
