import Foundation
import Testing
@testable import OneCardDomain

@Suite("Typed dates: the one parser of 西元 and 民國 dates")
struct TypedDateTests {
    @Test("西元 and 民國 forms, full-width digits, spaces and a trailing time are read as the same day", arguments: [
        // 西元
        ("1990-05-03", "1990-05-03"), ("1990/5/3", "1990-05-03"), ("1990.5.3", "1990-05-03"), ("19900503", "1990-05-03"),
        ("1990年5月3日", "1990-05-03"), ("  1990-05-03 ", "1990-05-03"), ("1990-05-03 00:00:00", "1990-05-03"),
        ("1990/05/03/", "1990-05-03"),
        // 民國: a year of one to three digits
        ("79/05/03", "1990-05-03"), ("079/05/03", "1990-05-03"), ("79-5-3", "1990-05-03"), ("79.5.3", "1990-05-03"),
        ("民國79年5月3日", "1990-05-03"), ("79年5月3日", "1990-05-03"), ("中華民國79年5月3日", "1990-05-03"),
        ("民國 79/5/3", "1990-05-03"), ("民國79年 5月 3日", "1990-05-03"), ("0790503", "1990-05-03"), ("790503", "1990-05-03"),
        ("1150503", "2026-05-03"), ("115/12/07", "2026-12-07"), ("1/1/1", "1912-01-01"),
        ("108年7月1日", "2019-07-01"), ("109年08月10日", "2020-08-10"),
        // Full-width digits and punctuation, as an IME types them
        ("７９／０５／０３", "1990-05-03"), ("民國７９年５月３日", "1990-05-03"), ("１９９０－０５－０３", "1990-05-03"),
        ("　79/5/3　", "1990-05-03"),
    ])
    func reads(typed: String, iso: String) {
        #expect(TypedDate.parse(typed) == .success(CalendarDay(iso: iso)!))
        #expect(CalendarDay(typed: typed)?.iso == iso)
    }

    @Test("Dates that do not exist are refused as such, not as unreadable", arguments: [
        "2026-02-30", "115/02/29", "0/05/03", "000/05/03", "民國0年5月3日", "0000503", "79/04/31", "19900230",
    ])
    func noSuchDay(typed: String) {
        #expect(TypedDate.parse(typed) == .failure(.noSuchDay))
    }

    @Test("What is not a year-month-day date is unreadable", arguments: [
        "", "   ", "yesterday", "3/5/1990", "05/03/1990", "1990-05", "1990", "12345", "123456789", "1990-05-03-01",
        "民國1990/5/3", "民國19900503", "1990年5月", "79/5/3 noon", "一九九〇年五月三日", "79/005/03", "1990-13-01", "79/00/03", "79/5/0", "79/5/32",
    ])
    func unreadable(typed: String) {
        #expect(TypedDate.parse(typed) == .failure(.unreadable))
    }

    @Test("Machines send ISO: the API's entry reads only 1990-05-03")
    func isoOnlyEntry() {
        #expect(DateEntry.isoOnly.parse("1990-05-03") == .success(CalendarDay(year: 1990, month: 5, day: 3)!))
        #expect(DateEntry.isoOnly.parse("79/05/03") == .failure(.unreadable))
        #expect(DateEntry.isoOnly.parse("民國79年5月3日") == .failure(.unreadable))
        #expect(DateEntry.typed.parse("79/05/03") == .success(CalendarDay(year: 1990, month: 5, day: 3)!))
    }

    @Test("Digit cells: eight digits 西元, seven or six 民國")
    func digitCells() {
        #expect(TypedDate.parse(digits: 20110503, count: 8) == .success(CalendarDay(year: 2011, month: 5, day: 3)!))
        #expect(TypedDate.parse(digits: 990503, count: 7) == .success(CalendarDay(year: 2010, month: 5, day: 3)!))
        #expect(TypedDate.parse(digits: 990503, count: 6) == .success(CalendarDay(year: 2010, month: 5, day: 3)!))
        #expect(TypedDate.parse(digits: 1990503, count: 5) == .failure(.unreadable))
    }
}
