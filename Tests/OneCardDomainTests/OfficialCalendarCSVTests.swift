import Foundation
import Testing
@testable import OneCardDomain

@Suite("Official calendar CSV")
struct OfficialCalendarCSVTests {
    func day(_ iso: String) -> CalendarDay {
        CalendarDay(iso: iso)!
    }

    func parse(_ text: String) throws(OfficialCalendarCSVError) -> [OfficialCalendarEntry] {
        try OfficialCalendarCSV.parse(Data(text.utf8))
    }

    func error(parsing text: String) -> OfficialCalendarCSVError? {
        error(parsing: Data(text.utf8))
    }

    func error(parsing data: Data) -> OfficialCalendarCSVError? {
        do {
            _ = try OfficialCalendarCSV.parse(data)
            return nil
        } catch {
            return error
        }
    }

    static let header = "西元日期,星期,是否放假,備註"

    // MARK: The published files

    @Test("The shipped calendars parse completely", arguments: [(2025, 115), (2026, 120)])
    func shippedCalendar(year: Int, daysOff: Int) throws {
        let entries = try OfficialCalendarCSV.parse(try CalendarFixtures.officialCalendarData(year: year))
        #expect(entries.count == 365)
        #expect(Set(entries.map(\.day)).count == 365)
        #expect(entries.allSatisfy { $0.day.year == year })
        #expect(entries.first?.day == CalendarDay(year: year, month: 1, day: 1))
        #expect(entries.last?.day == CalendarDay(year: year, month: 12, day: 31))
        #expect(entries.filter(\.isDayOff).count == daysOff)
    }

    @Test("Rows of the shipped 2025 calendar keep their flags and notes")
    func shippedRows() throws {
        let entries = try OfficialCalendarCSV.parse(try CalendarFixtures.officialCalendarData(year: 2025))
        let byDay = Dictionary(uniqueKeysWithValues: entries.map { ($0.day, $0) })
        #expect(byDay[day("2025-01-01")] == OfficialCalendarEntry(day: day("2025-01-01"), isDayOff: true, note: "開國紀念日"))
        #expect(byDay[day("2025-02-08")] == OfficialCalendarEntry(day: day("2025-02-08"), isDayOff: false, note: "補行上班"))
        #expect(byDay[day("2025-01-02")] == OfficialCalendarEntry(day: day("2025-01-02"), isDayOff: false, note: ""))
        #expect(byDay[day("2025-01-04")]?.isDayOff == true)
    }

    // MARK: Accepted variations

    @Test("A byte order mark and CRLF line endings are accepted")
    func bomAndCRLF() throws {
        let text = "\u{FEFF}\(Self.header)\r\n20250101,三,2,開國紀念日\r\n20250102,四,0,\r\n"
        let entries = try parse(text)
        #expect(entries == [
            OfficialCalendarEntry(day: day("2025-01-01"), isDayOff: true, note: "開國紀念日"),
            OfficialCalendarEntry(day: day("2025-01-02"), isDayOff: false, note: ""),
        ])
    }

    @Test("LF-only and CR-only line endings are accepted")
    func otherLineEndings() throws {
        for separator in ["\n", "\r"] {
            let text = [Self.header, "20250101,三,2,開國紀念日", "20250102,四,0,"].joined(separator: separator)
            #expect(try parse(text).count == 2)
        }
    }

    @Test("Quoted fields, with commas, doubled quotes and line breaks inside")
    func quotedFields() throws {
        let text = [
            #""西元日期","星期","是否放假","備註""#,
            #""20250101","三","2","開國紀念日""#,
            #"20250102,四,0,"說明,含逗號""#,
            #"20250103,五,0,"他說""補班""""#,
            #"20250104,六,2,"第一行"#,
            #"第二行""#,
            #"20250105,日,2,"#,
        ].joined(separator: "\r\n")
        let entries = try parse(text)
        #expect(entries.map(\.note) == ["開國紀念日", "說明,含逗號", "他說\"補班\"", "第一行\n第二行", ""])
    }

    @Test("Trailing blank lines and rows of bare commas are ignored")
    func blankLines() throws {
        let text = "\(Self.header)\r\n20250101,三,2,開國紀念日\r\n\r\n,,,\r\n\r\n"
        #expect(try parse(text).count == 1)
        #expect(try parse("\n\n\(Self.header)\n20250101,三,2,\n").count == 1)
    }

    @Test("Columns are found by name, so their order does not matter, and 星期 and 備註 are optional")
    func reorderedColumns() throws {
        #expect(try parse("是否放假,備註,西元日期,星期\n2,開國紀念日,20250101,三\n")
            == [OfficialCalendarEntry(day: day("2025-01-01"), isDayOff: true, note: "開國紀念日")])
        #expect(try parse("西元日期,是否放假\n20250208,0\n")
            == [OfficialCalendarEntry(day: day("2025-02-08"), isDayOff: false, note: "")])
    }

    @Test("Weekday names with prefixes are understood")
    func weekdayNames() throws {
        #expect(try parse("\(Self.header)\n20250101,星期三,2,\n20250105,週日,2,\n20250112,天,2,\n20250102,,0,\n").count == 4)
    }

    @Test("A header-only file has no entries")
    func headerOnly() throws {
        #expect(try parse(Self.header + "\r\n").isEmpty)
    }

    // MARK: Refused files

    @Test("An empty file or a file without the header is refused at the right line")
    func missingHeader() {
        #expect(error(parsing: "") == OfficialCalendarCSVError(line: 1, reason: .missingHeader))
        #expect(error(parsing: "\r\n\r\n") == OfficialCalendarCSVError(line: 1, reason: .missingHeader))
        #expect(error(parsing: "20250101,三,2,開國紀念日\n") == OfficialCalendarCSVError(line: 1, reason: .missingHeader))
        #expect(error(parsing: "\n\n日期,星期,放假\n") == OfficialCalendarCSVError(line: 3, reason: .missingHeader))
    }

    @Test("A bad date is reported on its line")
    func badDate() {
        let text = "\(Self.header)\r\n20250101,三,2,\r\n20250230,日,2,\r\n"
        #expect(error(parsing: text) == OfficialCalendarCSVError(line: 3, reason: .badDate("20250230")))
        #expect(error(parsing: "\(Self.header)\n2025-01-01,三,2,\n")
            == OfficialCalendarCSVError(line: 2, reason: .badDate("2025-01-01")))
    }

    @Test("A flag other than 0 or 2 is reported on its line")
    func badFlag() {
        let text = "\(Self.header)\n20250101,三,2,\n20250102,四,1,\n"
        #expect(error(parsing: text) == OfficialCalendarCSVError(line: 3, reason: .badFlag("1")))
        #expect(error(parsing: "\(Self.header)\n20250101,三,,\n") == OfficialCalendarCSVError(line: 2, reason: .badFlag("")))
    }

    @Test("A repeated date is reported on its second line, pointing at the first")
    func duplicateDate() {
        let text = "\(Self.header)\n20250101,三,2,\n20250102,四,0,\n\n20250101,三,2,\n"
        #expect(error(parsing: text)
            == OfficialCalendarCSVError(line: 5, reason: .duplicateDate(day("2025-01-01"), firstLine: 2)))
    }

    @Test("A weekday that is not the date's is reported")
    func badWeekday() {
        #expect(error(parsing: "\(Self.header)\n20250101,四,2,\n") == OfficialCalendarCSVError(line: 2, reason: .badWeekday("四")))
        #expect(error(parsing: "\(Self.header)\n20250101,Wed,2,\n") == OfficialCalendarCSVError(line: 2, reason: .badWeekday("Wed")))
    }

    @Test("A row with the wrong number of fields is reported")
    func fieldCount() {
        #expect(error(parsing: "\(Self.header)\n20250101,三,2\n")
            == OfficialCalendarCSVError(line: 2, reason: .fieldCount(expected: 4, actual: 3)))
        #expect(error(parsing: "\(Self.header)\n20250101,三,2,開國,紀念日\n")
            == OfficialCalendarCSVError(line: 2, reason: .fieldCount(expected: 4, actual: 5)))
    }

    @Test("Line numbers count the line breaks inside quoted fields")
    func lineNumbersAfterMultilineField() {
        let text = "\(Self.header)\n20250101,三,2,\"a\nb\nc\"\n20250102,四,3,\n"
        #expect(error(parsing: text) == OfficialCalendarCSVError(line: 5, reason: .badFlag("3")))
    }

    @Test("An unclosed quote is reported where it opens")
    func unterminatedQuote() {
        let text = "\(Self.header)\n20250101,三,2,\n20250102,四,0,\"補班\n20250103,五,0,\n"
        #expect(error(parsing: text) == OfficialCalendarCSVError(line: 3, reason: .unterminatedQuote))
    }

    @Test("A Big5 file is refused as not UTF-8, on the line of the first bad byte")
    func notUTF8() {
        var data = Data("西元日期,星期,是否放假,備註\r\n20250101,".utf8)
        // 三 and 開國紀念日 in Big5.
        data.append(contentsOf: [0xA4, 0x54, 0x2C, 0x32, 0x2C, 182, 125, 176, 234, 172, 246, 169, 192, 164, 233, 0x0D, 0x0A])
        #expect(error(parsing: data) == OfficialCalendarCSVError(line: 2, reason: .notUTF8))
        #expect(error(parsing: Data([0xFF, 0x0A])) == OfficialCalendarCSVError(line: 1, reason: .notUTF8))
    }

    @Test("Errors describe themselves with their line")
    func errorDescription() {
        let description = OfficialCalendarCSVError(line: 7, reason: .badFlag("1")).description
        #expect(description.contains("line 7"))
        #expect(description.contains("\"1\""))
    }
}
