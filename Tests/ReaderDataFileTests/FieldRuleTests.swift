import Foundation
import OneCardDomain
import Testing
@testable import ReaderDataFile

@Suite("Field rules")
struct FieldRuleTests {
    let rules = FieldRules(today: today)

    @Test(arguments: [
        ("2011-05-03", "2011-05-03"), ("2011/5/3", "2011-05-03"), ("2011.5.3", "2011-05-03"),
        ("099/05/03", "2010-05-03"), ("99/5/3", "2010-05-03"), ("99.5.3", "2010-05-03"), ("99-5-3", "2010-05-03"),
        ("100/1/2", "2011-01-02"), ("民國99年5月3日", "2010-05-03"), ("2011年5月3日", "2011-05-03"),
        ("20110503", "2011-05-03"), ("0990503", "2010-05-03"), ("990503", "2010-05-03"), ("1000102", "2011-01-02"),
        ("２０１１／５／３", "2011-05-03"), ("2011-05-03 00:00:00", "2011-05-03"), ("2011-05-03T00:00:00", "2011-05-03"),
        ("2012/2/29", "2012-02-29"), ("'099/05/03", "2010-05-03"),
    ])
    func acceptedDates(text: String, iso: String) throws {
        #expect(try rules.birthDate(.text(text)).get().iso == iso)
    }

    @Test(arguments: ["099/02/30", "2011/13/1", "2011/2/29", "3/5/2011", "05/03/2011", "0/5/3", "2011-5", "yesterday",
                      "2011/05/03/04", "1899/12/31", "0011/05/03", "2011-05-03 noon", "民國2011/5/3"])
    func refusedDates(text: String) {
        #expect(throws: RuleFailure.self) { try rules.birthDate(.text(text)).get() }
        if case .failure(let failure) = rules.birthDate(.text(text)) { #expect(failure.code == "birth_date_invalid") }
    }

    @Test func birthDateCells() throws {
        #expect(try rules.birthDate(.date(day(2011, 5, 3))).get() == day(2011, 5, 3))
        #expect(try rules.birthDate(.number(20110503)).get() == day(2011, 5, 3))  // typed as a number
        #expect(try rules.birthDate(.number(990503)).get() == day(2010, 5, 3))   // 0990503 lost its 0
        #expect(throws: RuleFailure.self) { try rules.birthDate(.number(40666)).get() }  // a serial without a date format
        #expect(try rules.birthDate(.date(today)).get() == today)
        if case .failure(let failure) = rules.birthDate(.date(today.adding(days: 1))) {
            #expect(failure.code == "birth_date_future")
        } else {
            Issue.record("tomorrow accepted")
        }
        if case .failure(let failure) = rules.birthDate(nil) { #expect(failure.code == "birth_date_required") }
    }

    @Test(arguments: [
        ("0912345678", "0912345678"), ("0912-345-678", "0912345678"), ("0912 345 678", "0912345678"),
        ("+886 912 345 678", "0912345678"), ("+886-912345678", "0912345678"), ("886912345678", "0912345678"),
        ("+886 0912345678", "0912345678"), ("(0912)345678", "0912345678"), ("０９１２－３４５－６７８", "0912345678"),
        ("912345678", "0912345678"),
    ])
    func acceptedMobiles(text: String, normalized: String) throws {
        #expect(try rules.mobile(.text(text)).get() == normalized)
    }

    @Test func mobileCells() throws {
        #expect(try rules.mobile(.number(912_345_678)).get() == "0912345678")
        #expect(try rules.mobile(nil).get() == nil)
        #expect(try rules.mobile(.text("  ")).get() == nil)
        for bad in ["04-2262-5100", "0912", "09123456789", "+1 912 345 678", "0912-345-67x", "812345678"] {
            #expect(throws: RuleFailure.self, "\(bad)") { try rules.mobile(.text(bad)).get() }
        }
    }

    @Test func emails() throws {
        #expect(try rules.email(.text(" Amy.Chen+lib@Example.EDU.tw ")).get() == "Amy.Chen+lib@example.edu.tw")
        #expect(try rules.email(.text("ａｍｙ＠ｅｘａｍｐｌｅ．ｃｏｍ")).get() == "amy@example.com")
        #expect(try rules.email(.text("mailto:amy@example.com")).get() == "amy@example.com")
        for bad in ["amy", "amy@", "@example.com", "amy@example", "amy@@example.com", "a b@example.com", "amy@example.c",
                    ".amy@example.com", "amy..chen@example.com", "amy@-example.com", "amy@example..com", "王@example.com",
                    "amy@example.com1"] {
            #expect(throws: RuleFailure.self, "\(bad)") { try rules.email(.text(bad)).get() }
        }
    }

    @Test func roles() throws {
        for staff in ["教職員", " 教師 ", "職員", "Staff", "TEACHER"] { #expect(try rules.role(.text(staff)).get() == .staff) }
        for student in ["學生", "student", "Ｓｔｕｄｅｎｔ"] { #expect(try rules.role(.text(student)).get() == .student) }
        for other in ["家長", "親友", "校友", "parent", "1"] {
            if case .failure(let failure) = rules.role(.text(other)) { #expect(failure.code == "role_invalid") } else {
                Issue.record("\(other) accepted")
            }
        }
    }

    @Test func genders() throws {
        #expect(try rules.gender(.text("男")).get() == .male)
        #expect(try rules.gender(.text("f")).get() == .female)
        #expect(try rules.gender(.text("其他")).get() == .other)
        #expect(try rules.gender(nil).get() == nil)
        #expect(throws: RuleFailure.self) { try rules.gender(.text("?")).get() }
    }

    @Test func identityNumbers() throws {
        #expect(try rules.identity(.text("a123456789")).get().value == "A123456789")
        let codes = ["A123456788": "id_checksum", "A800000014": "id_not_national", "FD12345676": "id_not_national",
                     "": "id_empty", "A12345": "id_length", "1123456789": "id_first_letter", "A323456789": "id_second_character"]
        for (number, code) in codes {
            if case .failure(let failure) = rules.identity(number.isEmpty ? nil : .text(number)) {
                #expect(failure.code == code, "\(number)")
            } else {
                Issue.record("\(number) accepted")
            }
        }
    }

    @Test func names() throws {
        #expect(try rules.name(.text("  王小明 ")).get() == "王小明")
        #expect(throws: RuleFailure.self) { try rules.name(.text(String(repeating: "名", count: 51))).get() }
        #expect(throws: RuleFailure.self) { try rules.name(.text("王\u{7}明")).get() }
    }

    @Test("headers in zh-TW or English, however written")
    func headers() {
        let cases: [(String, ReaderColumn?)] = [
            ("身分證字號", .idNumber), ("身份證字號", .idNumber), ("身分證字號*", .idNumber), ("ID Number", .idNumber),
            ("出生日期(YYYY/MM/DD)", .birthDate), ("出生日期（民國年/月/日）", .birthDate), ("Date of birth", .birthDate),
            ("Birth date", .birthDate), ("E-mail", .email), ("電子信箱（必填）", .email), ("Mobile phone", .mobile),
            ("班級/單位", .unit), ("班級／單位", .unit), ("Class/Unit", .unit), ("No.", .sequence), ("序號", .sequence),
            ("Gender", .gender), ("SEX", .gender), ("Role", .role), ("Identity", .role), ("身分別", .role),
            ("Remarks", .note), ("Note", .note), ("ＮＡＭＥ", .name), ("地址", nil), ("", nil),
        ]
        for (header, column) in cases {
            #expect(HeaderMatcher.column(for: header) == column, "\(header)")
        }
    }
}
