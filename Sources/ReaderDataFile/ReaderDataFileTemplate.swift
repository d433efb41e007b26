import Foundation

/// The language of a file the service writes; raw values as the app's locales (`zh-TW`, `en`).
public enum ReaderDataFileLocale: String, Sendable, Codable, CaseIterable {
    case zhTW = "zh-TW"
    case en
}

/// The reader data file template (讀者資料檔範本) that contacts download: a data sheet with the ten
/// column headers and nothing below them, then an instructions sheet.
///
/// ```swift
/// let bytes = try ReaderDataFileTemplate.xlsx(locale: .zhTW)   // or .ods(locale:)
/// ```
///
/// The data sheet has no example row, since a checker cannot tell an example from a reader; the example
/// is a column of the instructions sheet, which the checker never reads as data (its name holds 說明 or
/// "Instructions", and it comes after the data sheet). Every column but 序號 is text-formatted, so ID
/// numbers, mobile numbers with their leading 0 and ROC dates (`099/05/03`) stay as typed; 身分別 and
/// 性別 offer drop-down lists.
public enum ReaderDataFileTemplate {
    public static func xlsx(locale: ReaderDataFileLocale = .zhTW,
                            maximumRows: Int = ReaderDataFileChecker.defaultMaximumRows) throws(SpreadsheetWriterError) -> Data {
        let writer = try XLSXWriter()
        try write(to: writer, locale: locale, maximumRows: maximumRows)
        return try writer.finish()
    }

    public static func ods(locale: ReaderDataFileLocale = .zhTW,
                           maximumRows: Int = ReaderDataFileChecker.defaultMaximumRows) throws(SpreadsheetWriterError) -> Data {
        let writer = try ODSWriter()
        try write(to: writer, locale: locale, maximumRows: maximumRows)
        return try writer.finish()
    }

    /// The data sheet's name: 讀者資料, or Readers.
    public static func dataSheetName(locale: ReaderDataFileLocale) -> String {
        TemplateText.of(locale).dataSheet
    }

    /// The instructions sheet's name: 填寫說明, or Instructions.
    public static func instructionsSheetName(locale: ReaderDataFileLocale) -> String {
        TemplateText.of(locale).instructionsSheet
    }

    /// The header of `column` in the template of `locale`.
    public static func header(_ column: ReaderColumn, locale: ReaderDataFileLocale) -> String {
        locale == .zhTW ? column.templateHeader : column.englishHeader
    }

    static func write(to writer: some SpreadsheetWriter, locale: ReaderDataFileLocale, maximumRows: Int) throws(SpreadsheetWriterError) {
        let text = TemplateText.of(locale)
        let columns = ReaderColumn.allCases
        let lastRow = min(max(maximumRows, 1) + 1, SpreadsheetSheet.maximumRows)
        func dropDown(_ column: ReaderColumn, _ values: [String], _ message: String) -> SpreadsheetListValidation {
            SpreadsheetListValidation(column: columns.firstIndex(of: column)!, rows: 2...lastRow, values: values,
                                      errorTitle: header(column, locale: locale), errorMessage: message)
        }
        try writer.beginSheet(SpreadsheetSheet(
            name: text.dataSheet,
            columns: columns.map { SpreadsheetColumn(width: width(of: $0), style: $0 == .sequence ? .general : .text) },
            frozenRows: 1,
            listValidations: [
                dropDown(.role, text.roleValues, text.roleListError),
                dropDown(.gender, text.genderValues, text.genderListError),
            ]))
        try writer.appendRow(texts: columns.map { header($0, locale: locale) }, style: .header)

        try writer.beginSheet(SpreadsheetSheet(
            name: text.instructionsSheet,
            columns: [SpreadsheetColumn(width: 14, style: .wrapped), SpreadsheetColumn(width: 8, style: .wrapped),
                      SpreadsheetColumn(width: 70, style: .wrapped), SpreadsheetColumn(width: 22, style: .wrapped)]))
        // Long texts go to the wide column C, so that wrapping makes rows a little taller, not very tall.
        try writer.appendRow([.text(text.title, column: 0, style: .title)])
        try writer.appendRow([.text(text.introductionLabel, column: 0, style: .header),
                              .text(text.introduction(text.dataSheet), column: 2, style: .wrapped)])
        try writer.appendRow(texts: text.tableHeaders, style: .header, at: 4)
        for column in columns {
            try writer.appendRow(texts: [
                header(column, locale: locale),
                column.isRequired ? text.required : text.optional,
                text.rule(column),
                text.example(column),
            ], style: .wrapped)
        }
        let notesRow = 4 + columns.count + 2
        try writer.appendRow([.text(text.notesTitle, column: 0, style: .title)], at: notesRow)
        for (index, note) in text.notes(maximumRows).enumerated() {
            try writer.appendRow([.text(text.noteLabel(index), column: 0, style: .wrapped), .text(note, column: 2, style: .wrapped)])
        }
    }

    static func width(of column: ReaderColumn) -> Double {
        switch column {
        case .sequence: 6
        case .idNumber: 14
        case .name: 12
        case .gender: 6
        case .birthDate: 12
        case .role: 9
        case .email: 28
        case .mobile: 14
        case .unit: 14
        case .note: 20
        }
    }
}

/// The words of the template, in zh-TW and English. They stay beside the rules they describe (as the
/// checker's own messages do) so that the two cannot drift apart unnoticed.
struct TemplateText: Sendable {
    var dataSheet: String
    var instructionsSheet: String
    var title: String
    var introductionLabel: String
    var introduction: @Sendable (_ dataSheet: String) -> String
    var tableHeaders: [String]
    var required: String
    var optional: String
    var rule: @Sendable (ReaderColumn) -> String
    var example: @Sendable (ReaderColumn) -> String
    var notesTitle: String
    var notes: @Sendable (_ maximumRows: Int) -> [String]
    var noteLabel: @Sendable (_ index: Int) -> String
    var roleValues: [String]
    var roleListError: String
    var genderValues: [String]
    var genderListError: String

    static func of(_ locale: ReaderDataFileLocale) -> TemplateText {
        locale == .zhTW ? zhTW : english
    }

    static func grouped(_ number: Int) -> String {
        let digits = String(number)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return out
    }

    static let zhTW = TemplateText(
        dataSheet: "讀者資料",
        instructionsSheet: "填寫說明",
        title: "讀者資料檔填寫說明（集體辦理數位借閱證）",
        introductionLabel: "填寫方式",
        introduction: { sheet in
            "請在「\(sheet)」工作表填寫，每位讀者一列，從第 2 列開始。第 1 列是標題列，請勿修改、刪除或移動；欄位順序可以調整，選填欄位可以刪除。本工作表只是說明，不會匯入。"
        },
        tableHeaders: ["欄位", "必填", "填寫規則", "範例（僅供參考，請勿照抄）"],
        required: "必填",
        optional: "選填",
        rule: { column in
            switch column {
            case .sequence: "流水號，方便核對；不檢查，可留空。"
            case .idNumber: "限中華民國國民身分證字號：1 個英文字母加 9 個數字，英文字母大小寫皆可。居留證號、統一證號或護照號碼不受理，外籍人士請本人持證件臨櫃申辦實體借閱證。同一檔案內不可重複。"
            case .name: "與身分證件相同，最多 50 字。"
            case .gender: "男、女或其他，可從下拉選單選擇，也可留空。"
            case .birthDate: "西元或民國年皆可，例如 2011/5/3、2011-05-03、2011年5月3日，或民國 099/05/03、99/5/3、民國99年5月3日、0990503。請依「年/月/日」順序填寫，「日/月/年」無法辨識；不可晚於今天。"
            case .role: "只能填「教職員」或「學生」，可從下拉選單選擇。集體辦證限本校（機關）教職員及學生，不含親友。"
            case .email: "開通通知寄到這個信箱，每張借閱證各有自己的開通連結；家人可共用同一信箱。"
            case .mobile: "09 開頭的 10 碼手機號碼，例如 0912345678 或 0912-345-678；可留空。"
            case .unit: "學生填班級，教職員填單位；不檢查，可留空。"
            case .note: "其他說明；不檢查，可留空。"
            }
        },
        example: { column in
            switch column {
            case .sequence: "1"
            case .idNumber: "A123456789"
            case .name: "王小明"
            case .gender: "男"
            case .birthDate: "099/05/03"
            case .role: "學生"
            case .email: "ming@example.edu.tw"
            case .mobile: "0912-345-678"
            case .unit: "五年甲班"
            case .note: "（空白）"
            }
        },
        notesTitle: "注意事項",
        notes: { maximumRows in
            [
                "一份公文（一批申請）只上傳一個讀者資料檔；每個檔案最多 \(grouped(maximumRows)) 位讀者，超過請分批並另行發文。",
                "可上傳 xlsx、ods 或 csv（UTF-8 或 Big5）檔案；請勿設定開啟密碼。",
                "儲存格已設為文字格式，請直接輸入，身分證字號、行動電話開頭的 0 及民國日期都會照原樣保留。",
                "檔案中只要有任何一列資料錯誤，整份檔案會退回。退回的檔案最後一欄是「錯誤說明」，錯誤的儲存格以紅色標示；請修正後重新上傳整份檔案。",
                "已持有聯盟借閱證的讀者請勿列入，否則整份檔案會退回。",
            ]
        },
        noteLabel: { index in
            let numerals = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
            return index < numerals.count ? numerals[index] : String(index + 1)
        },
        roleValues: ["教職員", "學生"],
        roleListError: "身分別只能填「教職員」或「學生」。",
        genderValues: ["男", "女", "其他"],
        genderListError: "性別請填「男」、「女」或「其他」，也可留空。")

    static let english = TemplateText(
        dataSheet: "Readers",
        instructionsSheet: "Instructions",
        title: "How to fill in the reader data file (group digital library cards)",
        introductionLabel: "How to fill in",
        introduction: { sheet in
            "Fill in the \"\(sheet)\" sheet, one reader per row, from row 2 on. Row 1 holds the headers: do not change, delete or move it. Columns may be put in another order, and optional columns may be deleted. This sheet only explains and is not imported."
        },
        tableHeaders: ["Column", "Required", "Rules", "Example (for reference only)"],
        required: "Required",
        optional: "Optional",
        rule: { column in
            switch column {
            case .sequence: "A running number for your own checking; not checked, may be left empty."
            case .idNumber: "ROC national ID numbers only: one letter and nine digits, in upper or lower case. Resident certificate, unified ID and passport numbers are not accepted: foreign residents apply in person with their ID for a physical card. No number may appear twice in one file."
            case .name: "As on the ID card; at most 50 characters."
            case .gender: "Male, Female or Other, from the drop-down list, or empty."
            case .birthDate: "Western or ROC years, e.g. 2011/5/3, 2011-05-03, or ROC 099/05/03, 99/5/3, 0990503. Write year, month, day in that order: day-first dates such as 3/5/2011 cannot be read. Not later than today."
            case .role: "Staff or Student only, from the drop-down list. Group cards are for the school's or agency's own staff and students, not their relatives."
            case .email: "The activation notice goes to this address; each card gets its own activation link, so family members may share one address."
            case .mobile: "A 10-digit mobile number starting with 09, e.g. 0912345678 or 0912-345-678; may be left empty."
            case .unit: "Class for students, unit for staff; not checked, may be left empty."
            case .note: "Anything else; not checked, may be left empty."
            }
        },
        example: { column in
            switch column {
            case .sequence: "1"
            case .idNumber: "A123456789"
            case .name: "Wang Hsiao-ming"
            case .gender: "Male"
            case .birthDate: "2010/05/03"
            case .role: "Student"
            case .email: "ming@example.edu.tw"
            case .mobile: "0912-345-678"
            case .unit: "Class 5A"
            case .note: "(empty)"
            }
        },
        notesTitle: "Please note",
        notes: { maximumRows in
            [
                "Upload one reader data file per official letter (one batch); at most \(grouped(maximumRows)) readers per file: split larger groups into batches, each with its own letter.",
                "xlsx, ods and csv (UTF-8 or Big5) files are accepted; do not protect the file with a password to open.",
                "The cells are formatted as text: type as you are used to, and leading zeros of mobile numbers and ROC dates stay as typed.",
                "If any row has an error, the whole file is returned. The returned file has an added last column \"Errors\" and the wrong cells marked in red; correct them and upload the whole file again.",
                "Do not list readers who already hold a card of the consortium, or the whole file is returned.",
            ]
        },
        noteLabel: { index in "\(index + 1)." },
        roleValues: ["Staff", "Student"],
        roleListError: "Role: Staff or Student only.",
        genderValues: ["Male", "Female", "Other"],
        genderListError: "Gender: Male, Female or Other, or empty.")
}
