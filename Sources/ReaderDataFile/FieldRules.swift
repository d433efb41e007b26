import Foundation
import OneCardDomain

/// A failed field check: the stable code and the zh-TW message.
struct RuleFailure: Error, Equatable {
    var code: String
    var message: String
}

/// The checks of single fields of a reader data file. Every function takes the cell as read.
struct FieldRules {
    /// Birth dates after this day are refused.
    let today: CalendarDay

    /// The earliest plausible birth date; anything before is a typing slip (e.g. a ROC year taken as Gregorian).
    static let earliestBirthDate = CalendarDay(year: 1900, month: 1, day: 1)!

    // MARK: 身分證字號

    func identity(_ value: CellValue?) -> Result<IdentityNumber, RuleFailure> {
        let raw = value?.text ?? ""
        switch IdentityNumber.parse(raw) {
        case .success(let number) where number.isROCNational:
            return .success(number)
        case .success:
            return .failure(RuleFailure(
                code: "id_not_national",
                message: "此為居留證（統一證號），外籍人士無法集體辦理數位借閱證，請本人攜帶證件至圖書館臨櫃申辦實體借閱證"))
        case .failure(let error):
            return .failure(RuleFailure(code: error.code, message: Self.message(for: error)))
        }
    }

    static func message(for error: IdentityNumberError) -> String {
        switch error {
        case .empty: "請填寫身分證字號"
        case .length(let count): "身分證字號應為 10 碼（目前為 \(count) 碼）"
        case .invalidCharacter(let position): "身分證字號第 \(position) 碼應為數字"
        case .firstLetter: "身分證字號第 1 碼應為英文字母"
        case .secondCharacter: "身分證字號第 2 碼應為 1 或 2"
        case .checksum: "身分證字號檢查碼錯誤"
        case .issuingCountryMissing, .kindMismatch: "身分證字號格式錯誤"
        }
    }

    // MARK: 姓名

    static let maximumNameLength = 50

    func name(_ value: CellValue?) -> Result<String, RuleFailure> {
        // The rule of every personal text field (PersonalText), after the cell's own trimming (spreadsheets leave
        // line breaks and tabs at the ends of cells); a control character inside the name is refused.
        switch PersonalText.clean(Self.trimmed(value), maximumLength: Self.maximumNameLength) {
        case .success(let name): return .success(name)
        case .failure(.empty): return .failure(RuleFailure(code: "name_required", message: "請填寫姓名"))
        case .failure(.invalid):
            return .failure(RuleFailure(code: "name_invalid", message: "姓名過長（上限 \(Self.maximumNameLength) 字）或含有姓名不會用到的符號、控制字元"))
        }
    }

    // MARK: 性別

    func gender(_ value: CellValue?) -> Result<Gender?, RuleFailure> {
        let word = Self.folded(value)
        if word.isEmpty { return .success(nil) }
        guard let gender = Self.lookup(word, in: Self.genderWords) else {
            return .failure(RuleFailure(code: "gender_invalid", message: "性別請填「男」、「女」或「其他」，也可留空"))
        }
        return .success(gender)
    }

    static let genderWords: [(String, Gender)] = [
        ("男", .male), ("女", .female), ("男性", .male), ("女性", .female), ("男生", .male), ("女生", .female),
        ("m", .male), ("f", .female), ("male", .male), ("female", .female), ("其他", .other), ("other", .other), ("x", .other),
    ]

    // MARK: 身分別

    func role(_ value: CellValue?) -> Result<ReaderRole, RuleFailure> {
        let word = Self.folded(value)
        if word.isEmpty { return .failure(RuleFailure(code: "role_required", message: "請填寫身分別（教職員或學生）")) }
        guard let role = Self.lookup(word, in: Self.roleWords) else {
            return .failure(RuleFailure(
                code: "role_invalid",
                message: "身分別只能填「教職員」或「學生」：集體辦證限本校（機關）教職員及學生，不含親友"))
        }
        return .success(role)
    }

    static let roleWords: [(String, ReaderRole)] = [
        ("學生", .student), ("教職員", .staff), ("教師", .staff), ("老師", .staff), ("職員", .staff), ("教職", .staff),
        ("student", .student), ("staff", .staff), ("teacher", .staff), ("faculty", .staff),
    ]

    /// Byte-wise lookup: String's `==` normalizes non-ASCII text on every comparison.
    static func lookup<Value>(_ word: String, in table: [(String, Value)]) -> Value? {
        for (candidate, value) in table where word.utf8.elementsEqual(candidate.utf8) { return value }
        return nil
    }

    // MARK: 電子信箱

    func email(_ value: CellValue?) -> Result<String, RuleFailure> {
        var text = Self.trimmed(value)
        guard !text.isEmpty else { return .failure(RuleFailure(code: "email_required", message: "請填寫電子信箱")) }
        text = text.compatibilityFolded
        if let first = text.utf8.first, first | 0x20 == UInt8(ascii: "m"), text.lowercased().hasPrefix("mailto:") {
            text = String(text.dropFirst(7))
        }
        guard let normalized = EmailAddressRule.normalized(text) else {
            return .failure(RuleFailure(code: "email_invalid", message: "電子信箱格式不正確"))
        }
        return .success(normalized)
    }

    // MARK: 行動電話

    /// Empty is fine (the column is optional); otherwise a Taiwan mobile number, returned as `09XXXXXXXX`.
    func mobile(_ value: CellValue?) -> Result<String?, RuleFailure> {
        if case .number(let number)? = value {
            guard number.isFinite, number >= 0, number == number.rounded(), number < 1e13 else { return .failure(Self.mobileFailure) }
            let digits = String(Int64(number))
            return Self.normalizedMobile(digits, plus: false)
        }
        let text = Self.trimmed(value).compatibilityFolded
        if text.isEmpty { return .success(nil) }
        var digits = ""
        var plus = false
        var first = true
        for scalar in text.unicodeScalars {
            defer { first = false }
            switch scalar {
            case "0"..."9": digits.unicodeScalars.append(scalar)
            case "+" where first: plus = true
            case "-", " ", "(", ")", ".", "'", "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{2212}", "\t", "\u{A0}":
                continue
            default:
                return .failure(Self.mobileFailure)
            }
        }
        return Self.normalizedMobile(digits, plus: plus)
    }

    private static func normalizedMobile(_ digits: String, plus: Bool) -> Result<String?, RuleFailure> {
        var digits = digits
        if plus || digits.hasPrefix("886") {
            guard digits.hasPrefix("886") else { return .failure(Self.mobileFailure) }
            digits = String(digits.dropFirst(3))
            if digits.hasPrefix("0") { digits.removeFirst() }
            digits = "0" + digits
        } else if digits.utf8.count == 9, digits.hasPrefix("9") {
            // A number cell that lost its leading 0 (912345678).
            digits = "0" + digits
        }
        guard digits.utf8.count == 10, digits.hasPrefix("09") else { return .failure(Self.mobileFailure) }
        return .success(digits)
    }

    static let mobileFailure = RuleFailure(code: "mobile_invalid", message: "行動電話應為 09 開頭的 10 碼手機號碼（可留空）")

    // MARK: 出生日期

    func birthDate(_ value: CellValue?) -> Result<CalendarDay, RuleFailure> {
        let day: CalendarDay
        switch value {
        case nil:
            return .failure(RuleFailure(code: "birth_date_required", message: "請填寫出生日期"))
        case .date(let date)?:
            day = date
        case .number(let number)?:
            // A number cell without a date format: accept the digit forms a person may have typed.
            guard number.isFinite, number == number.rounded(), number > 0, number < 1e9,
                  let parsed = Self.parseDigitsDate(CellValue.format(number)) else {
                return .failure(Self.birthDateInvalid(CellValue.format(number)))
            }
            day = parsed
        case .boolean?:
            return .failure(Self.birthDateInvalid(value?.text ?? ""))
        case .text(let raw)?:
            let text = raw.trimmedCell
            if text.isEmpty { return .failure(RuleFailure(code: "birth_date_required", message: "請填寫出生日期")) }
            guard let parsed = Self.parseDateText(text) else { return .failure(Self.birthDateInvalid(text)) }
            day = parsed
        }
        guard day >= Self.earliestBirthDate else {
            return .failure(Self.birthDateInvalid(value?.text ?? ""))
        }
        guard day <= today else {
            return .failure(RuleFailure(code: "birth_date_future", message: "出生日期（\(day.iso)）不可晚於今天（\(today.iso)）"))
        }
        return .success(day)
    }

    static func birthDateInvalid(_ text: String) -> RuleFailure {
        let shown = text.count > 30 ? String(text.prefix(30)) + "…" : text
        return RuleFailure(code: "birth_date_invalid",
                           message: "出生日期「\(shown)」不是有效的日期；請填寫如 2011/5/3、2011-05-03 或民國 100/5/3 的日期")
    }

    /// A date typed into a text cell, by the site's one parser (`TypedDate`): 西元 and 民國 forms, full-width digits,
    /// a trailing time of day ignored, day-first orders refused as ambiguous.
    static func parseDateText(_ raw: String) -> CalendarDay? {
        try? TypedDate.parse(raw).get()
    }

    /// Digit forms of a number cell without a date format.
    static func parseDigitsDate(_ text: String) -> CalendarDay? {
        guard text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }), let number = Int(text) else { return nil }
        return try? TypedDate.parse(digits: number, count: text.utf8.count).get()
    }

    // MARK: Optional text

    func optionalText(_ value: CellValue?) -> String? {
        let text = Self.trimmed(value)
        return text.isEmpty ? nil : text
    }

    static func trimmed(_ value: CellValue?) -> String {
        guard let value else { return "" }
        return value.text.trimmedCell
    }

    /// Trimmed, full-width folded, lower-cased, inner spaces removed: for comparing words.
    static func folded(_ value: CellValue?) -> String {
        let text = trimmed(value)
        guard !text.isEmpty else { return "" }
        // The template's own words need no folding.
        for word in ["學生", "教職員", "男", "女"] where text.utf8.elementsEqual(word.utf8) { return text }
        let folded = text.compatibilityFolded.lowercased()
        return String(String.UnicodeScalarView(folded.unicodeScalars.filter { !isSpaceScalar($0) }))
    }
}
