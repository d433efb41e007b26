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

    /// A page that changes nothing in the session writes it at most once a minute (#13 item 1, session
    /// writes); a change in its data is written at once.
    func testPagesThatChangeNothingMoveTheSessionsEndAtMostOnceAMinute() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let staff = try await signedInStaff(app)
            let cookie = try XCTUnwrap(staff.cookies["onecard_session"])
            func row() async throws -> WebSession {
                let found = try await WebSession.query(on: app.db).filter(\.$keyHash == WebSessions.hash(SessionID(string: cookie))).first()
                return try XCTUnwrap(found)
            }
            // The first page adds the form's CSRF token to the session: a change, written at once.
            let first = try await staff.get("/staff")
            XCTAssertEqual(first.status, .ok)
            let signedIn = try await row().expiresAt
            clock.advance(by: 30)
            let page = try await staff.get("/staff")
            XCTAssertEqual(page.status, .ok)
            let unchanged = try await row().expiresAt
            XCTAssertEqual(unchanged, signedIn, "no write 30 s after the last one")
            let english = try await staff.get("/staff?lang=en")
            XCTAssertEqual(english.status, .ok)
            let changed = try await row()
            XCTAssertEqual(changed.data["lang"], "en", "a change is written at once")
            XCTAssertEqual(changed.expiresAt, clock.now.addingTimeInterval(WebSessions.lifetime))
            clock.advance(by: 61)
            _ = try await staff.get("/staff")
            let moved = try await row().expiresAt
            XCTAssertEqual(moved, clock.now.addingTimeInterval(WebSessions.lifetime), "a minute on, the end moves")
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
