import Fluent
import Foundation
import XCTVapor
@testable import App

final class WebSessionTests: XCTestCase {
    func testTheTableHoldsOnlyAHashOfTheCookieAndASessionEndsEightHoursAfterItsLastRequest() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let staff = try await signedInStaff(app)
            let cookie = try XCTUnwrap(staff.cookies["onecard_session"])
            let rows = try await WebSession.query(on: app.db).all()
            XCTAssertFalse(rows.isEmpty)
            XCTAssertFalse(rows.contains { $0.keyHash == cookie }, "the cookie's value is not stored")
            XCTAssertTrue(rows.contains { $0.keyHash == WebSessions.hash(SessionID(string: cookie)) })

            // Each request moves the end of the session: 7 h, then 7 h more, is still one working day.
            clock.advance(by: 7 * 3600)
            let stillIn = try await staff.get("/staff")
            XCTAssertEqual(stillIn.status, .ok)
            clock.advance(by: 7 * 3600)
            let stillInLater = try await staff.get("/staff")
            XCTAssertEqual(stillInLater.status, .ok, "14 h after signing in, but only 7 h after the last request")

            // Nine quiet hours end it, and housekeeping deletes the row.
            clock.advance(by: 9 * 3600)
            let expiredCount = try await WebSession.query(on: app.db).filter(\.$expiresAt <= clock.now).count()
            XCTAssertGreaterThan(expiredCount, 0)
            try await WebSessions.deleteExpired(now: clock.now, on: app.db)
            let left = try await WebSession.query(on: app.db).filter(\.$keyHash == WebSessions.hash(SessionID(string: cookie))).count()
            XCTAssertEqual(left, 0)
            let out = try await staff.get("/staff")
            XCTAssertEqual(out.headers.first(name: .location), "/staff/login", "signed out")
        }
    }

    func testAnExpiredSessionIsNotReadEvenBeforeHousekeepingRuns() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let staff = try await signedInStaff(app)
            clock.advance(by: 8 * 3600 + 1)
            let out = try await staff.get("/staff")
            XCTAssertEqual(out.headers.first(name: .location), "/staff/login")
        }
    }
}
