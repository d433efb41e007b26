import Foundation
import ZIPFoundation

/// How a written cell looks. The same seven styles exist in xlsx (`XLSXWriter`) and ods (`ODSWriter`).
///
/// Every style but `general` and `title` is text-formatted (Excel's `@`, number format 49): what a person
/// types there stays text, so ID numbers, mobile numbers with a leading 0 and ROC dates (`099/05/03`)
/// are not turned into numbers or Western dates.
public enum SpreadsheetCellStyle: Sendable, Hashable, CaseIterable {
    case general
    case text
    /// Bold on a light blue fill: a header row.
    case header
    /// Bold and larger: the first line of an instructions or summary sheet.
    case title
    /// Wrapped, top-aligned text: long explanations.
    case wrapped
    /// Light red fill, dark red text: a cell that holds an error.
    case bad
    /// Wrapped dark red text: the 錯誤說明 column of a returned file.
    case errorNote
}

/// One cell to write: its 0-based column (A = 0), value and style.
public struct SpreadsheetCell: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case text(String)
        case number(Double)
    }

    public var column: Int
    public var value: Value
    public var style: SpreadsheetCellStyle

    public init(column: Int, value: Value, style: SpreadsheetCellStyle = .general) {
        self.column = column
        self.value = value
        self.style = style
    }

    /// A text cell; an empty text writes a styled empty cell (e.g. a required field left blank, filled red).
    public static func text(_ text: String, column: Int, style: SpreadsheetCellStyle = .text) -> SpreadsheetCell {
        SpreadsheetCell(column: column, value: .text(text), style: style)
    }

    public static func number(_ number: Double, column: Int, style: SpreadsheetCellStyle = .general) -> SpreadsheetCell {
        SpreadsheetCell(column: column, value: .number(number), style: style)
    }
}

/// A column's width and the style of its empty cells.
public struct SpreadsheetColumn: Sendable, Equatable {
    /// Width in characters of the default font; a CJK character takes about two.
    public var width: Double
    /// `.text` keeps what a person types into the column as text.
    public var style: SpreadsheetCellStyle

    public init(width: Double = 10, style: SpreadsheetCellStyle = .general) {
        self.width = width
        self.style = style
    }
}

/// A drop-down list: the cells of `column` in `rows` accept only `values` (or nothing).
public struct SpreadsheetListValidation: Sendable, Equatable {
    /// 0-based.
    public var column: Int
    /// 1-based rows.
    public var rows: ClosedRange<Int>
    /// Without commas or double quotes; 255 characters in all at most (Excel's limit).
    public var values: [String]
    /// Shown when something else is typed.
    public var errorTitle: String
    public var errorMessage: String

    public init(column: Int, rows: ClosedRange<Int>, values: [String], errorTitle: String, errorMessage: String) {
        self.column = column
        self.rows = rows
        self.values = values
        self.errorTitle = errorTitle
        self.errorMessage = errorMessage
    }
}

/// What a sheet looks like before its first row: written at the top of the sheet, so it is given up front.
public struct SpreadsheetSheet: Sendable, Equatable {
    /// Characters that no sheet name may hold (`[]*?:/\`) become `_`; at most 31 characters; made unique.
    public var name: String
    /// Columns from A on; columns past the end get the program's default.
    public var columns: [SpreadsheetColumn]
    /// Rows kept in view when scrolling (1: the header row).
    public var frozenRows: Int
    public var listValidations: [SpreadsheetListValidation]

    /// Rows and columns both formats can hold (Excel 2007 on, LibreOffice).
    public static let maximumRows = 1_048_576
    public static let maximumColumns = 16_384

    public init(name: String, columns: [SpreadsheetColumn] = [], frozenRows: Int = 0,
                listValidations: [SpreadsheetListValidation] = []) {
        self.name = name
        self.columns = columns
        self.frozenRows = frozenRows
        self.listValidations = listValidations
    }
}

public enum SpreadsheetWriterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `appendRow` before `beginSheet`, or `finish` without any sheet.
    case noSheet
    /// The writer was used after `finish`.
    case finished
    /// Rows go down the sheet: each row number must be larger than the one before.
    case rowOutOfOrder(row: Int, previous: Int)
    /// Outside 1…1,048,576.
    case rowOutOfRange(Int)
    /// Outside 0..<16,384 (A…XFD).
    case columnOutOfRange(Int)
    /// A temporary file or the zip archive could not be written.
    case io(String)

    public var description: String {
        switch self {
        case .noSheet: "no sheet has been begun"
        case .finished: "the workbook is already finished"
        case .rowOutOfOrder(let row, let previous): "row \(row) comes after row \(previous)"
        case .rowOutOfRange(let row): "row \(row) is outside 1…\(SpreadsheetSheet.maximumRows)"
        case .columnOutOfRange(let column): "column \(column) is outside 0..<\(SpreadsheetSheet.maximumColumns)"
        case .io(let detail): "cannot write the workbook: \(detail)"
        }
    }
}

/// Writes a workbook sheet by sheet and row by row. Rows go to a temporary file as they come, so
/// memory stays bounded however many rows are written; `finish` zips the parts (deflate).
public protocol SpreadsheetWriter: AnyObject {
    /// Ends the sheet before (if any) and starts a new one.
    func beginSheet(_ sheet: SpreadsheetSheet) throws(SpreadsheetWriterError)
    /// Writes a row at `row` (1-based, after the last one written), or right below the last one when nil.
    /// Cells may come in any order; of two cells in one column the last wins.
    func appendRow(_ cells: [SpreadsheetCell], at row: Int?) throws(SpreadsheetWriterError)
    /// The workbook's bytes; the writer cannot be used afterwards.
    func finish() throws(SpreadsheetWriterError) -> Data
}

extension SpreadsheetWriter {
    public func appendRow(_ cells: [SpreadsheetCell]) throws(SpreadsheetWriterError) {
        try appendRow(cells, at: nil)
    }

    /// A row of text cells from column A on, all in one style.
    public func appendRow(texts: [String], style: SpreadsheetCellStyle = .text, at row: Int? = nil) throws(SpreadsheetWriterError) {
        try appendRow(texts.enumerated().map { SpreadsheetCell.text($1, column: $0, style: style) }, at: row)
    }
}

// MARK: Shared parts of both writers

/// Row bookkeeping and cell validation that both writers share.
struct SheetRowCursor {
    private(set) var lastRow = 0

    mutating func next(_ requested: Int?) throws(SpreadsheetWriterError) -> Int {
        let row = requested ?? lastRow + 1
        guard row >= 1, row <= SpreadsheetSheet.maximumRows else { throw .rowOutOfRange(row) }
        guard row > lastRow else { throw .rowOutOfOrder(row: row, previous: lastRow) }
        lastRow = row
        return row
    }

    /// Ordered by column, one cell per column (the last given wins).
    static func ordered(_ cells: [SpreadsheetCell]) throws(SpreadsheetWriterError) -> [SpreadsheetCell] {
        for cell in cells where cell.column < 0 || cell.column >= SpreadsheetSheet.maximumColumns {
            throw .columnOutOfRange(cell.column)
        }
        if cells.count < 2 { return cells }
        if zip(cells, cells.dropFirst()).allSatisfy({ $0.column < $1.column }) { return cells }
        var byColumn: [Int: SpreadsheetCell] = [:]
        for cell in cells { byColumn[cell.column] = cell }
        return byColumn.values.sorted { $0.column < $1.column }
    }
}

/// The height a row with wrapped cells needs. Set explicitly, since LibreOffice keeps rows one line
/// high when it opens a file, which would cut explanations off.
enum WrappedRowHeight {
    static let pointsPerLine = 16.0
    static let defaultColumnWidth = 10.0

    /// Points for the row, or nil when every cell fits on one line.
    static func points(for cells: [SpreadsheetCell], columns: [SpreadsheetColumn]) -> Double? {
        var lines = 1
        for cell in cells where cell.style == .wrapped || cell.style == .errorNote {
            guard case .text(let text) = cell.value, !text.isEmpty else { continue }
            let width = cell.column < columns.count ? columns[cell.column].width : defaultColumnWidth
            lines = max(lines, self.lines(text, width: width))
        }
        return lines > 1 ? Double(lines) * pointsPerLine + 2 : nil
    }

    /// Lines a text takes in a column `width` characters wide; CJK characters count two. Errs on the tall side.
    static func lines(_ text: String, width: Double) -> Int {
        let usable = max(Int(width) - 2, 1)
        var total = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var units = 0
            for scalar in line.unicodeScalars {
                units += scalar.value >= 0x2E80 && !(0xFF61...0xFFDC).contains(scalar.value) ? 2 : 1
            }
            total += max(1, (units + usable - 1) / usable)
            if total >= 100 { return 100 }
        }
        return max(total, 1)
    }
}

/// Sheet names both formats accept: no `[]*?:/\`, no apostrophe at either end, 1…31 characters, unique
/// regardless of case.
struct SheetNames {
    private var used: Set<String> = []

    mutating func unique(_ wanted: String) -> String {
        var name = String(wanted.unicodeScalars.map { scalar -> Character in
            if "[]*?:/\\".unicodeScalars.contains(scalar) || scalar.value < 0x20 || !XMLEscaping.isLegal(scalar) { return "_" }
            return Character(scalar)
        })
        while name.hasPrefix("'") { name.removeFirst() }
        while name.hasSuffix("'") { name.removeLast() }
        name = name.trimmedCell
        if name.isEmpty { name = "Sheet" }
        name = String(name.prefix(31))
        var candidate = name
        var counter = 2
        while used.contains(candidate.lowercased()) {
            let suffix = " (\(counter))"
            candidate = String(name.prefix(31 - suffix.count)) + suffix
            counter += 1
        }
        used.insert(candidate.lowercased())
        return candidate
    }
}

/// Escaping for XML 1.0 text and attribute values.
enum XMLEscaping {
    /// Characters XML 1.0 allows (#x9, #xA, #xD, #x20–#xD7FF, #xE000–#xFFFD, #x10000–#x10FFFF).
    @inline(__always)
    static func isLegal(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    /// Escapes `& < > "` and carriage returns, and drops characters XML 1.0 forbids; in attributes also
    /// tabs and line breaks, which parsers would otherwise turn into spaces.
    static func escape(_ text: String, attribute: Bool = false) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "&") && $0 != UInt8(ascii: "<")
            && $0 != UInt8(ascii: ">") && $0 != UInt8(ascii: "\"") && $0 < 0xEF }) {
            return text  // ASCII and most CJK (lead bytes below 0xEF) without anything to escape
        }
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\r": out += "&#13;"
            case "\n" where attribute: out += "&#10;"
            case "\t" where attribute: out += "&#9;"
            default:
                if isLegal(scalar) { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// Text with only the characters XML 1.0 allows.
    static func legal(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { !isLegal($0) }) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.filter(isLegal)))
    }

    /// A number as XML Schema's `xsd:double` writes it; integers without a decimal point.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

/// A temporary folder for one workbook's parts, removed when the writer goes away.
final class WorkbookScratch {
    let folder: URL

    init() throws(SpreadsheetWriterError) {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("onecard-workbook-\(UUID().uuidString)", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw .io("cannot create \(folder.path): \(error)")
        }
    }

    func file(_ name: String) throws(SpreadsheetWriterError) -> BufferedFileOutput {
        try BufferedFileOutput(url: folder.appendingPathComponent(name))
    }

    func remove() {
        try? FileManager.default.removeItem(at: folder)
    }

    deinit { remove() }
}

/// Appends UTF-8 text to a file through a buffer.
final class BufferedFileOutput {
    static let bufferSize = 256 << 10

    let url: URL
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private(set) var byteCount: Int64 = 0
    private var closed = false

    init(url: URL) throws(SpreadsheetWriterError) {
        self.url = url
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw .io("cannot create \(url.path)")
        }
        do {
            handle = try FileHandle(forWritingTo: url)
        } catch {
            throw .io("cannot open \(url.path): \(error)")
        }
        buffer.reserveCapacity(Self.bufferSize + 4096)
    }

    func write(_ text: String) throws(SpreadsheetWriterError) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.bufferSize { try flush() }
    }

    func write(_ bytes: Data) throws(SpreadsheetWriterError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.bufferSize { try flush() }
    }

    func flush() throws(SpreadsheetWriterError) {
        guard !buffer.isEmpty else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw .io("cannot write \(url.path): \(error)")
        }
        byteCount += Int64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws(SpreadsheetWriterError) {
        guard !closed else { return }
        try flush()
        closed = true
        do {
            try handle.close()
        } catch {
            throw .io("cannot close \(url.path): \(error)")
        }
    }

    deinit {
        if !closed { try? handle.close() }
    }
}

/// Builds a zip in memory from small parts and from part files streamed off disk.
struct ZipBuilder {
    private let archive: Archive
    /// One date for every entry, so a workbook's entries agree.
    private let date = Date()

    init() throws(SpreadsheetWriterError) {
        do {
            archive = try Archive(data: Data(), accessMode: .create)
        } catch {
            throw .io("cannot create a zip archive: \(error)")
        }
    }

    func add(_ path: String, text: String, compressed: Bool = true) throws(SpreadsheetWriterError) {
        let data = Data(text.utf8)
        do {
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), modificationDate: date,
                                 compressionMethod: compressed ? .deflate : .none) { position, size in
                let start = Int(position)
                return data.subdata(in: start..<min(start + size, data.count))
            }
        } catch {
            throw .io("cannot add \(path): \(error)")
        }
    }

    func add(_ path: String, file: BufferedFileOutput) throws(SpreadsheetWriterError) {
        try file.close()
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: file.url)
        } catch {
            throw .io("cannot read \(file.url.path): \(error)")
        }
        defer { try? handle.close() }
        do {
            // ZIPFoundation asks for the part in order, chunk by chunk.
            try archive.addEntry(with: path, type: .file, uncompressedSize: file.byteCount, modificationDate: date,
                                 compressionMethod: .deflate, bufferSize: 64 << 10) { _, size in
                try handle.read(upToCount: size) ?? Data()
            }
        } catch {
            throw .io("cannot add \(path): \(error)")
        }
    }

    func data() throws(SpreadsheetWriterError) -> Data {
        guard let data = archive.data else { throw .io("the zip archive has no data") }
        return data
    }
}
