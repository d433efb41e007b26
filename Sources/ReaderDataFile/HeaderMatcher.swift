import Foundation

/// Recognises the template's column headers in zh-TW or English, however they are spelled.
enum HeaderMatcher {
    /// Folds a header for comparison: NFKC (full-width → ASCII), lower-case, no notes in brackets
    /// (`出生日期(YYYY/MM/DD)`, `姓名（必填）`), no spaces, punctuation or required-marks.
    static func normalize(_ header: String) -> String {
        var text = header.precomposedStringWithCompatibilityMapping.lowercased()
        // Remove bracketed notes; NFKC has turned full-width brackets into ASCII ones.
        for (open, close) in [("(", ")"), ("[", "]"), ("【", "】"), ("〔", "〕"), ("<", ">")] {
            while let start = text.range(of: open), let end = text.range(of: close, range: start.upperBound..<text.endIndex) {
                text.removeSubrange(start.lowerBound..<end.upperBound)
            }
        }
        let dropped = Set(" \t\r\n/\\._-*:#'\"、，,。·・")
        return String(text.filter { !dropped.contains($0) && !$0.isWhitespace })
    }

    static let aliases: [String: ReaderColumn] = {
        let table: [ReaderColumn: [String]] = [
            .sequence: ["序號", "序", "編號", "項次", "no", "seq", "sequence", "serialno", "number", "#"],
            .idNumber: ["身分證字號", "身份證字號", "身分證號", "身份證號", "身分證號碼", "身份證號碼", "身分證統一編號",
                        "身份證統一編號", "身分證", "身份證", "idnumber", "idno", "id", "nationalid", "nationalidnumber",
                        "nationalidno", "rocid", "identitynumber", "identificationnumber"],
            .name: ["姓名", "中文姓名", "名字", "name", "fullname", "chinesename"],
            .gender: ["性別", "gender", "sex"],
            .birthDate: ["出生日期", "出生年月日", "生日", "dateofbirth", "birthdate", "birthday", "dob", "birth"],
            .role: ["身分別", "身份別", "身分", "身份", "讀者身分", "讀者身份", "讀者類別", "role", "identity", "readertype"],
            .email: ["電子信箱", "電子郵件", "電子郵件信箱", "電子郵件地址", "email", "emailaddress", "mail", "信箱"],
            .mobile: ["行動電話", "手機", "手機號碼", "行動電話號碼", "mobile", "mobilephone", "mobileno", "mobilenumber",
                      "cellphone", "cell"],
            .unit: ["班級單位", "班級", "單位", "服務單位", "部門", "班級或單位", "classunit", "class", "unit",
                    "department", "classorunit"],
            .note: ["備註", "附註", "note", "notes", "remark", "remarks", "memo", "comment", "comments"],
        ]
        var result: [String: ReaderColumn] = [:]
        for (column, names) in table {
            for name in names { result[normalize(name)] = column }
        }
        return result
    }()

    static func column(for header: String) -> ReaderColumn? {
        let key = normalize(header)
        guard !key.isEmpty else { return nil }
        return aliases[key]
    }
}
