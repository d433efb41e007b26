import Testing
@testable import OneCardDomain

/// #12 item 11: one rule for every free-text personal field, and one for email addresses.
@Suite("Personal text and email addresses")
struct PersonalTextTests {
    @Test("Names people have are kept, cleaned the same way", arguments: [
        ("王小明", "王小明"),
        ("  王小明\u{3000}", "王小明"),
        ("Walis\u{3000}Nokan", "Walis\u{3000}Nokan"),
        ("陳  小華", "陳  小華"),
        ("瓦歷斯·諾幹", "瓦歷斯·諾幹"),
        ("瓦歷斯‧諾幹", "瓦歷斯‧諾幹"),
        ("Anne-Marie O'Neil", "Anne-Marie O'Neil"),
        ("J. R. R. Tolkien", "J. R. R. Tolkien"),
        ("李（小）明", "李（小）明"),
        ("臺北市立第一女子高級中學", "臺北市立第一女子高級中學"),
        ("教務處/註冊組長", "教務處/註冊組長"),
        ("Nguyễn Văn A", "Nguyễn Văn A"),
        ("Jose\u{301}", "Jos\u{E9}"),
        ("〇〇科技有限公司 & 合夥人", "〇〇科技有限公司 & 合夥人"),
    ])
    func kept(raw: String, stored: String) {
        #expect(PersonalText.clean(raw, maximumLength: 60) == .success(stored))
    }

    @Test("Control characters, invisible formatting and symbols a name never holds are refused", arguments: [
        "王\r\n大明", "王大明\n", "王\t大明", "王\u{0}大明", "王\u{1B}大明", "王\u{1F}大明", "王\u{7F}大明", "王\u{85}大明",
        "王\u{9F}大明", "王<b>大明", "王>大明", "王|大明", "王;大明", "王\"大明", "王\u{200B}大明", "王\u{202E}大明",
        "王\u{2028}大明", "王\u{E000}大明", "王😀大明", "王=大明",
    ])
    func refused(raw: String) {
        #expect(PersonalText.clean(raw, maximumLength: 60) == .failure(.invalid))
    }

    @Test("Empty after cleaning is empty; the maximum counts characters as people see them")
    func lengths() {
        #expect(PersonalText.clean(" \u{3000} ", maximumLength: 60) == .failure(.empty))
        #expect(PersonalText.clean(String(repeating: "王", count: 60), maximumLength: 60) == .success(String(repeating: "王", count: 60)))
        #expect(PersonalText.clean(String(repeating: "王", count: 61), maximumLength: 60) == .failure(.invalid))
        #expect(PersonalText.clean(String(repeating: "e\u{301}", count: 60), maximumLength: 60) == .success(String(repeating: "\u{E9}", count: 60)))
    }

    @Test("Every entry point of the domain uses the rule")
    func entryPoints() {
        var application = CardApplicationInput()
        application.cardType = "family"
        application.name = "王<小明"
        application.headOfHouseholdName = "陳\u{1F}大同"
        let applicationErrors = CardApplicationRules.validate(application, today: CalendarDay(year: 2026, month: 12, day: 7)!,
                                                              passwordPolicy: PasswordPolicy(commonPasswords: []))
        guard case .failure(let failure) = applicationErrors else { Issue.record("accepted"); return }
        #expect(failure.errors.contains(FieldError(field: "name", code: "name_invalid")))
        #expect(failure.errors.contains(FieldError(field: "headOfHouseholdName", code: "head_name_invalid")))

        var group = GroupApplicationInput()
        group.organizationName = "中山國小\r\n"
        group.contactName = "林<老師>"
        group.contactTitle = "組長\u{7F}"
        guard case .failure(let groupFailure) = GroupApplicationRules.validate(group, today: CalendarDay(year: 2026, month: 12, day: 7)!)
        else { Issue.record("accepted"); return }
        for field in ["organizationName", "contactName", "contactTitle"] {
            #expect(groupFailure.errors.contains { $0.field == field && $0.code.hasSuffix("_invalid") }, "\(field)")
        }
    }

    @Test("Email addresses: a plain ASCII addr-spec", arguments: [
        ("wang@example.org", true), ("Wang.Xiao-Ming+card@Example.ORG", true), ("a_b@mail.tpml.edu.tw", true),
        ("wang\u{0}@example.org", false), ("wang\u{1B}@example.org", false), ("wang@example.org\u{7F}", false),
        ("wang@exa\r\nmple.org", false), ("wang @example.org", false), ("wang@example", false), ("wang@@example.org", false),
        (".wang@example.org", false), ("wang..x@example.org", false), ("wang@-example.org", false), ("<wang@example.org>", false),
        ("\"wang\"@example.org", false), ("王@example.org", false), ("wang@example.o", false), ("", false),
    ])
    func emails(address: String, valid: Bool) {
        #expect(EmailAddressRule.isValid(address) == valid)
    }

    @Test("The domain of an address is lower-cased, the local part kept")
    func emailNormalization() {
        #expect(EmailAddressRule.normalized("Wang@Example.ORG") == "Wang@example.org")
    }
}
