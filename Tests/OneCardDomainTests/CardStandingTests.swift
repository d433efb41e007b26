import Foundation
import Testing
@testable import OneCardDomain

@Suite("Card standing (有效期限, 停權)")
struct CardStandingTests {
    let today = CalendarDay(year: 2026, month: 11, day: 22)!
    let suspension = CardValidity.Suspension(since: Date(timeIntervalSince1970: 1_795_000_000), reason: "逾期未還書")

    func day(_ iso: String) -> CalendarDay { CalendarDay(iso: iso)! }

    @Test("No valid-until and no suspension: good standing, on any day")
    func noLimits() {
        let validity = CardValidity()
        #expect(validity.standing(on: today) == .good)
        #expect(validity.standing(on: day("9999-12-31")) == .good)
        #expect(!validity.isExpired(on: today))
        #expect(!validity.isSuspended)
    }

    @Test("Valid through the whole last day; expired from the next day on")
    func lastDayIsValid() {
        let validity = CardValidity(validUntil: today)
        #expect(validity.standing(on: today.adding(days: -1)) == .good)
        #expect(validity.standing(on: today) == .good)
        #expect(validity.standing(on: today.adding(days: 1)) == .expired)
        #expect(validity.isExpired(on: today.adding(days: 400)))
    }

    @Test("A suspension wins over expiry, while each flag still says its own")
    func suspensionFirst() {
        let both = CardValidity(validUntil: today.adding(days: -1), suspension: suspension)
        #expect(both.standing(on: today) == .suspended)
        #expect(both.isExpired(on: today))
        #expect(both.isSuspended)
        let onlySuspended = CardValidity(validUntil: today.adding(days: 30), suspension: suspension)
        #expect(onlySuspended.standing(on: today) == .suspended)
        #expect(!onlySuspended.isExpired(on: today))
    }

    @Test("Today is read on Taipei's wall calendar, not UTC's")
    func taipeiDay() throws {
        // 2026-11-22 16:30 UTC is 2026-11-23 00:30 in Taipei: the card valid until the 22nd has expired there.
        var utc = DateComponents()
        utc.year = 2026; utc.month = 11; utc.day = 22; utc.hour = 16; utc.minute = 30
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let instant = try #require(calendar.date(from: utc))
        let validity = CardValidity(validUntil: today)
        #expect(validity.standing(at: instant) == .expired)
        #expect(validity.standing(at: instant, timeZone: TimeZone(identifier: "UTC")!) == .good)
        #expect(validity.standing(at: instant.addingTimeInterval(-3600)) == .good, "23:30 in Taipei: still the last day")
    }

    @Test("A new valid-until: empty clears it, today or later is kept, the past and nonsense are refused")
    func parsingValidUntil() throws {
        #expect(try CardValidity.parseValidUntil("", today: today).get() == nil)
        #expect(try CardValidity.parseValidUntil("  ", today: today).get() == nil)
        #expect(try CardValidity.parseValidUntil("2026-11-22", today: today).get() == today)
        #expect(try CardValidity.parseValidUntil("2027/3/31", today: today).get() == day("2027-03-31"))
        #expect(try CardValidity.parseValidUntil("民國116年3月31日", today: today).get() == day("2027-03-31"))
        #expect(CardValidity.parseValidUntil("2026-11-21", today: today) == .failure(FieldErrors([FieldError(field: "validUntil", code: "valid_until_past")])))
        #expect(CardValidity.parseValidUntil("2027-02-30", today: today) == .failure(FieldErrors([FieldError(field: "validUntil", code: "valid_until_no_such_day")])))
        #expect(CardValidity.parseValidUntil("next year", today: today, field: "newValidUntil")
            == .failure(FieldErrors([FieldError(field: "newValidUntil", code: "valid_until_invalid")])))
    }

    @Test("A suspension reason is required, one line, at most 200 characters")
    func reasons() throws {
        #expect(try CardValidity.validateReason("  逾期未還書  ").get() == "逾期未還書")
        #expect(CardValidity.validateReason(" \n ") == .failure(FieldErrors([FieldError(field: "reason", code: "suspension_reason_required")])))
        #expect(CardValidity.validateReason("借\u{0007}書") == .failure(FieldErrors([FieldError(field: "reason", code: "suspension_reason_invalid")])))
        #expect(CardValidity.validateReason("第一行\n第二行") == .failure(FieldErrors([FieldError(field: "reason", code: "suspension_reason_invalid")])))
        #expect(try CardValidity.validateReason(String(repeating: "停", count: 200)).get().count == 200)
        #expect(CardValidity.validateReason(String(repeating: "停", count: 201)) == .failure(FieldErrors([FieldError(field: "reason", code: "suspension_reason_invalid")])))
    }
}
