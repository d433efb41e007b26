import Foundation
import Testing
@testable import OneCardDomain

@Suite("Group application rules (集體辦證)")
struct GroupApplicationRulesTests {
    let today = CalendarDay(year: 2026, month: 11, day: 18)!

    func valid() -> GroupApplicationInput {
        var input = GroupApplicationInput()
        input.organizationName = " 臺中市立示範國民小學 "
        input.organizationKind = "school"
        input.contactName = "李老師"
        input.contactTitle = "圖書館主任"
        input.contactPhone = "04-2262-5100#1117"
        input.contactEmail = "Contact@School.Example.edu.tw"
        input.letterNumber = "中市示小字第1150000001號"
        input.letterDate = "115/11/02"
        input.acceptsObligations = true
        return input
    }

    @Test("A complete application is normalized: trimmed name, ROC letter date, lower-cased email, phone digits")
    func normalized() throws {
        let application = try GroupApplicationRules.validate(valid(), today: today).get()
        #expect(application.organizationName == "臺中市立示範國民小學")
        #expect(application.organizationKind == .school)
        #expect(application.letter.date == CalendarDay(year: 2026, month: 11, day: 2))
        #expect(application.contact.email == "contact@school.example.edu.tw")
        #expect(application.contact.phone == "0422625100#1117")
    }

    @Test("Every missing field is reported at once, in form order")
    func everythingMissing() {
        guard case .failure(let failure) = GroupApplicationRules.validate(GroupApplicationInput(), today: today) else {
            Issue.record("an empty form passed")
            return
        }
        #expect(failure.errors.map(\.code) == [
            "organization_name_required", "organization_kind_required", "contact_name_required", "contact_title_required",
            "contact_phone_required", "contact_email_required", "letter_number_required", "letter_date_required",
            "obligations_required",
        ])
    }

    @Test("Letter dates: ISO, slashes, ROC forms; not in the future, not years ago, not impossible")
    func letterDates() {
        #expect(CalendarDay(typed: "2026-05-03") == CalendarDay(year: 2026, month: 5, day: 3))
        #expect(CalendarDay(typed: "2026/5/3") == CalendarDay(year: 2026, month: 5, day: 3))
        #expect(CalendarDay(typed: "115/05/03") == CalendarDay(year: 2026, month: 5, day: 3))
        #expect(CalendarDay(typed: "中華民國115年5月3日") == CalendarDay(year: 2026, month: 5, day: 3))
        #expect(CalendarDay(typed: "民國 115.5.3") == CalendarDay(year: 2026, month: 5, day: 3))
        #expect(CalendarDay(typed: "２０２６－０５－０３") == CalendarDay(year: 2026, month: 5, day: 3))
        #expect(CalendarDay(typed: "2026-02-30") == nil)
        #expect(CalendarDay(typed: "3/5/2026") == nil)
        #expect(CalendarDay(typed: "yesterday") == nil)
        func code(_ date: String) -> String? {
            guard case .failure(let failure) = OfficialLetter.validate(number: "字第1號", date: date, today: today) else { return nil }
            return failure.errors.first?.code
        }
        #expect(code("2026-11-18") == nil)
        #expect(code("2026-11-19") == "letter_date_future")
        #expect(code("2014-11-02") == "letter_date_too_old")
        #expect(code("2026-13-01") == "letter_date_invalid")
        #expect(code("115/02/30") == "letter_date_no_such_day")
        #expect(code("May 3rd") == "letter_date_invalid")
        #expect(code("115/05/03") == nil)
    }

    @Test("Letter numbers are required, at most 100 characters, without control characters")
    func letterNumbers() {
        func code(_ number: String) -> String? {
            guard case .failure(let failure) = OfficialLetter.validate(number: number, date: "2026-11-02", today: today) else { return nil }
            return failure.errors.first?.code
        }
        #expect(code("臺教國署高字第1090092849號") == nil)
        #expect(code("   ") == "letter_number_required")
        #expect(code(String(repeating: "字", count: 101)) == "letter_number_invalid")
        #expect(code("字第\u{0007}1號") == "letter_number_invalid")
    }

    @Test("A contact needs a name, a title, a Taiwanese phone number and an email address")
    func contact() {
        guard case .failure(let failure) = GroupApplicationRules.validateContact(name: "王", title: "組長", phone: "12345", email: "no-at-sign") else {
            Issue.record("a bad contact passed")
            return
        }
        #expect(failure.errors.map(\.code) == ["contact_phone_invalid", "contact_email_invalid"])
        #expect((try? GroupApplicationRules.validateContact(name: "王", title: "組長", phone: "0912-345-678", email: "a@b.tw").get())?.phone == "0912345678")
    }

    @Test("Organization kind is school or agency; obligations must be accepted")
    func kindAndObligations() {
        var input = valid()
        input.organizationKind = "company"
        input.acceptsObligations = false
        guard case .failure(let failure) = GroupApplicationRules.validate(input, today: today) else {
            Issue.record("passed")
            return
        }
        #expect(failure.errors.map(\.code) == ["organization_kind_required", "obligations_required"])
    }

    @Test("A batch is aimed at 7 and due at 10 working days after arrival; overdue after the due day")
    func schedule() throws {
        // 2026-11-18 is a Wednesday; with weekends only, +7 working days is 11-27 and +10 is 12-02.
        let calendar = WorkingDayCalendar(official: [])
        let schedule = GroupBatchSchedule(received: today, calendar: calendar)
        #expect(schedule.target == CalendarDay(year: 2026, month: 11, day: 27))
        #expect(schedule.due == CalendarDay(year: 2026, month: 12, day: 2))
        #expect(!GroupBatchSchedule.isOverdue(due: schedule.due, today: schedule.due))
        #expect(GroupBatchSchedule.isOverdue(due: schedule.due, today: schedule.due.adding(days: 1)))
        #expect(GroupBatchStatus.queued.awaitsDecision)
        #expect(!GroupBatchStatus.importing.awaitsDecision)
    }
}
