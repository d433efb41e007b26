import Foundation
import OneCardDomain
@testable import ReaderDataFile

/// The fixtures written by tests/roster/make_fixtures.py.
enum Fixtures {
    static func url(_ name: String) -> URL {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
            fatalError("missing fixture \(name); run tests/roster/make_fixtures.py")
        }
        return url
    }
}

/// A fixed "today", so birth-date checks do not depend on when the tests run.
let today = CalendarDay(year: 2025, month: 6, day: 1)!

let checker = ReaderDataFileChecker(today: today)

func check(_ name: String, _ configured: ReaderDataFileChecker = checker) throws -> ReaderDataFileReport {
    try configured.check(contentsOf: Fixtures.url(name))
}

/// `row column code` triples, to compare reports compactly.
func triples(_ report: ReaderDataFileReport) -> [String] {
    report.errors.map { "\($0.row) \($0.column) \($0.code)" }
}

func day(_ year: Int, _ month: Int, _ dayOfMonth: Int) -> CalendarDay {
    CalendarDay(year: year, month: month, day: dayOfMonth)!
}

func refusal(_ name: String, _ configured: ReaderDataFileChecker = checker) -> ReaderDataFileError? {
    do {
        _ = try configured.check(contentsOf: Fixtures.url(name))
        return nil
    } catch {
        return error
    }
}
