import Foundation
import OneCardDomain

/// The summary a contact gets once a batch is imported: who got which card number.
///
/// ```swift
/// let rows = imported.map { BatchSummary.Row($0.reader, cardNumber: $0.card) }
/// let bytes = try BatchSummary.xlsx(rows: rows, title: "臺北市立圖書館　某某國小 第 3 批集體辦證")
/// ```
///
/// One sheet: the title, a line with the count, then 序號, 姓名, 借閱證號, 身分別, 班級/單位 below a frozen
/// header. Card numbers are text cells in a text-formatted column, so they are never shown as 1.23E+12.
public enum BatchSummary {
    public struct Row: Sendable, Equatable {
        /// 序號 as written in the reader data file.
        public var sequence: String?
        public var name: String
        public var cardNumber: String
        public var role: ReaderRole
        /// 班級/單位.
        public var unit: String?

        public init(sequence: String?, name: String, cardNumber: String, role: ReaderRole, unit: String?) {
            self.sequence = sequence
            self.name = name
            self.cardNumber = cardNumber
            self.role = role
            self.unit = unit
        }

        /// The row of an imported reader and the card number it was given.
        public init(_ reader: ReaderRow, cardNumber: CardNumber) {
            self.init(sequence: reader.sequence, name: reader.name, cardNumber: cardNumber.value, role: reader.role,
                      unit: reader.unit)
        }
    }

    public static func xlsx(rows: [Row], title: String, locale: ReaderDataFileLocale = .zhTW) throws(SpreadsheetWriterError) -> Data {
        let writer = try XLSXWriter()
        try write(rows: rows, title: title, locale: locale, to: writer)
        return try writer.finish()
    }

    public static func ods(rows: [Row], title: String, locale: ReaderDataFileLocale = .zhTW) throws(SpreadsheetWriterError) -> Data {
        let writer = try ODSWriter()
        try write(rows: rows, title: title, locale: locale, to: writer)
        return try writer.finish()
    }

    /// The summary sheet's name: 辦證結果, or Cards.
    public static func sheetName(locale: ReaderDataFileLocale) -> String {
        locale == .zhTW ? "辦證結果" : "Cards"
    }

    public static func headers(locale: ReaderDataFileLocale) -> [String] {
        locale == .zhTW ? ["序號", "姓名", "借閱證號", "身分別", "班級/單位"] : ["No.", "Name", "Card number", "Role", "Class/Unit"]
    }

    /// The line below the title: 共 N 人, or N readers.
    static func countLine(_ count: Int, locale: ReaderDataFileLocale) -> String {
        locale == .zhTW ? "共 \(TemplateText.grouped(count)) 人" : "\(TemplateText.grouped(count)) reader\(count == 1 ? "" : "s")"
    }

    static func roleName(_ role: ReaderRole, locale: ReaderDataFileLocale) -> String {
        switch (role, locale) {
        case (_, .zhTW): role.displayName
        case (.staff, .en): "Staff"
        case (.student, .en): "Student"
        }
    }

    static func write(rows: [Row], title: String, locale: ReaderDataFileLocale, to writer: some SpreadsheetWriter) throws(SpreadsheetWriterError) {
        try writer.beginSheet(SpreadsheetSheet(
            name: sheetName(locale: locale),
            columns: [SpreadsheetColumn(width: 8, style: .text), SpreadsheetColumn(width: 16, style: .text),
                      SpreadsheetColumn(width: 18, style: .text), SpreadsheetColumn(width: 10, style: .text),
                      SpreadsheetColumn(width: 18, style: .text)],
            frozenRows: 3))
        try writer.appendRow([.text(title, column: 0, style: .title)])
        try writer.appendRow([.text(countLine(rows.count, locale: locale), column: 0)])
        try writer.appendRow(texts: headers(locale: locale), style: .header)
        for row in rows.prefix(SpreadsheetSheet.maximumRows - 3) {
            try writer.appendRow(texts: [row.sequence ?? "", row.name, row.cardNumber, roleName(row.role, locale: locale), row.unit ?? ""])
        }
    }
}
