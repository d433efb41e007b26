import Fluent
import Foundation
import OneCardDomain
import XCTVapor
@testable import App

/// 休館日 kept by a library's administrator on /staff/calendar.
final class LibraryCalendarTests: XCTestCase {
    /// Monday 2026-03-02, 10:00 in Taipei.
    static let monday = ISO8601DateFormatter().date(from: "2026-03-02T02:00:00Z")!

    func testAnAdministratorClosesADayThatDueDatesThenSkipAndOpensItAgain() async throws {
        try await withTestApp(clock: TestClock(Self.monday)) { app in
            let taipei = try await Library.require(code: "TPML", on: app.db).requireID()
            let monday = CalendarDay(iso: "2026-03-02")!
            let before = try await OfficialCalendarStore.calendar(libraryID: taipei, on: app.db)
            XCTAssertEqual(before.dueDate(after: monday, workingDays: 3).iso, "2026-03-05")

            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let home = try await admin.get("/staff")
            XCTAssertTrue(home.text.contains("/staff/calendar"), "administrators find the page from the back office home")
            let empty = try await admin.get("/staff/calendar")
            XCTAssertEqual(empty.status, .ok)
            XCTAssertTrue(empty.text.contains("目前沒有自訂的休館日"))

            let closed = try await admin.post("/staff/calendar", form: ["day": "2026-03-04", "reason": "館舍消毒"])
            XCTAssertEqual(closed.status, .seeOther)
            let listed = try await admin.get("/staff/calendar?done=closed")
            XCTAssertTrue(listed.text.contains("<time datetime=\"2026-03-04\">民國115年3月4日</time>（三）"), listed.text)
            XCTAssertTrue(listed.text.contains("館舍消毒"))
            XCTAssertTrue(listed.text.contains("已設為休館日"))
            let after = try await OfficialCalendarStore.calendar(libraryID: taipei, on: app.db)
            XCTAssertEqual(after.dueDate(after: monday, workingDays: 3).iso, "2026-03-06", "the closed Wednesday is skipped")
            let other = try await Library.require(code: "NTPL", on: app.db).requireID()
            let elsewhere = try await OfficialCalendarStore.calendar(libraryID: other, on: app.db)
            XCTAssertEqual(elsewhere.dueDate(after: monday, workingDays: 3).iso, "2026-03-05", "only this library is closed")

            // Closing it again only changes the reason.
            try await admin.post("/staff/calendar", form: ["day": "2026-03-04", "reason": "停電"])
            let rows = try await LibraryClosedDay.query(on: app.db).filter(\.$library.$id == taipei).all()
            XCTAssertEqual(rows.map(\.reason), ["停電"])

            let reopened = try await admin.post("/staff/calendar/2026-03-04/reopen", form: [:])
            XCTAssertEqual(reopened.status, .seeOther)
            let left = try await LibraryClosedDay.query(on: app.db).count()
            XCTAssertEqual(left, 0)
            let again = try await admin.post("/staff/calendar/2026-03-04/reopen", form: [:])
            XCTAssertEqual(again.status, .notFound, "nothing to reopen")

            let audit = try await AuditEvent.query(on: app.db).filter(\.$action ~~ ["calendar.day_closed", "calendar.day_reopened"])
                .sort(\.$occurredAt).all()
            XCTAssertEqual(audit.map(\.action), ["calendar.day_closed", "calendar.day_closed", "calendar.day_reopened"])
            XCTAssertTrue(audit.allSatisfy { $0.actorType == "staff" && $0.libraryID == taipei && $0.subjectID == "2026-03-04" })
        }
    }

    /// Closing a day that is a holiday or a weekend already still closes it, and the page says what the day
    /// was (the administrator may have meant another); a make-up or ordinary working day gets no warning.
    func testClosingADayThatIsAlreadyAHolidayOrAWeekendWarnsTheAdministrator() async throws {
        try await withTestApp(clock: TestClock(Self.monday)) { app in
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            try await admin.get("/staff/calendar")
            for (day, expected) in [("115/04/03", "民國115年4月3日已是政府行政機關辦公日曆表的放假日（補假），期限本來就會跳過這一天"),
                                    ("2026-03-07", "民國115年3月7日是週末，期限本來就會跳過這一天"),
                                    ("2026-03-04", nil)] as [(String, String?)] {
                let closed = try await admin.post("/staff/calendar", form: ["day": day, "reason": "盤點"])
                XCTAssertEqual(closed.status, .seeOther)
                let location = try XCTUnwrap(closed.headers.first(name: .location))
                let page = try await admin.get(location)
                XCTAssertTrue(page.text.contains("已設為休館日"), day)
                if let expected {
                    XCTAssertTrue(page.text.contains(expected), "\(day): \(page.text)")
                } else {
                    XCTAssertFalse(page.text.contains("期限本來就會跳過"), "a working day: no warning")
                }
            }
            let english = try await admin.get("/staff/calendar?done=closed&day=2026-04-04&lang=en")
            XCTAssertTrue(english.text.contains("2026-04-04 is already a holiday on the government office calendar (兒童節)"), english.text)
            let rows = try await LibraryClosedDay.query(on: app.db).sort(\.$day).all().map(\.day)
            XCTAssertEqual(rows, ["2026-03-04", "2026-03-07", "2026-04-03"], "each day is closed all the same")
        }
    }

    func testBadInputNamesTheFieldAndChangesNothing() async throws {
        try await withTestApp(clock: TestClock(Self.monday)) { app in
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            try await admin.get("/staff/calendar")
            let cases: [([String: String], String)] = [
                (["day": "", "reason": "盤點"], "請填寫日期。"),
                (["day": "2026-02-30", "reason": "盤點"], "沒有這一天，請檢查日期的年、月、日。"),
                (["day": "2026/3/9 noon", "reason": "盤點"], "日期格式不正確，例如 115/12/07 或 2026-12-07。"),
                (["day": "2026-03-01", "reason": "盤點"], "日期不可早於今天。"),
                (["day": "2026-03-09", "reason": " "], "請填寫休館原因。"),
                (["day": "2026-03-09", "reason": String(repeating: "休", count: 101)], "原因請在 100 字以內。"),
            ]
            for (form, message) in cases {
                let response = try await admin.post("/staff/calendar", form: form)
                XCTAssertEqual(response.status, .unprocessableEntity, "\(form)")
                XCTAssertTrue(response.text.contains(message), "\(form): \(message)")
                XCTAssertTrue(response.text.contains("aria-invalid=\"true\""))
            }
            let stored = try await LibraryClosedDay.query(on: app.db).count()
            XCTAssertEqual(stored, 0)

            let english = try await admin.post("/staff/calendar?lang=en", form: ["day": "2026-03-09", "reason": ""])
            XCTAssertTrue(english.text.contains("Enter why the library is closed."))
        }
    }

    func testOnlyAdministratorsKeepTheCalendar() async throws {
        try await withTestApp(clock: TestClock(Self.monday)) { app in
            let desk = try await signedInStaff(app, role: "desk", email: "desk@tpml.example")
            let page = try await desk.get("/staff/calendar")
            XCTAssertEqual(page.status, .forbidden)
            let post = try await desk.post("/staff/calendar", form: ["day": "2026-03-09", "reason": "盤點"])
            XCTAssertEqual(post.status, .forbidden)
            let stored = try await LibraryClosedDay.query(on: app.db).count()
            XCTAssertEqual(stored, 0)
        }
    }
}
