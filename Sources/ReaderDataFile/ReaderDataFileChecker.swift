import Foundation
import OneCardDomain

/// Checks a reader data file (讀者資料檔) of a group application: reads xlsx, ods or csv, finds the
/// header row and checks every row by the rules of the group digital card.
///
/// ```swift
/// let checker = ReaderDataFileChecker(today: CalendarDay(date: Date(), timeZone: taipei))
/// let report = try checker.check(contentsOf: url)   // throws ReaderDataFileError when unreadable
/// report.errors      // every bad cell, by row and column
/// report.validRows   // the rows to import once `report.isClean`
/// ```
///
/// The file's kind is told from its content, never from its name. Reading streams: zip entries are
/// inflated chunk by chunk and scanned as they come, so memory stays bounded however many rows the
/// file has; the limits below turn hostile files away within seconds.
public struct ReaderDataFileChecker: Sendable {
    /// Birth dates after this day are refused (the caller passes today in Asia/Taipei).
    public var today: CalendarDay
    /// More data rows than this: the file is refused (`too_many_rows`), so large groups are split into batches.
    public var maximumRows: Int
    /// The largest file accepted, in bytes.
    public var maximumFileBytes: Int
    /// The most bytes the zip entries read may inflate to, in total (zip bombs).
    public var maximumUncompressedBytes: Int

    /// Whether rows are checked on a second thread while the file is read (the results are the same either way).
    var concurrentRowChecks = true

    public static let defaultMaximumRows = 100_000
    public static let defaultMaximumFileBytes = 64 << 20
    public static let defaultMaximumUncompressedBytes = 200 << 20

    public init(today: CalendarDay,
                maximumRows: Int = defaultMaximumRows,
                maximumFileBytes: Int = defaultMaximumFileBytes,
                maximumUncompressedBytes: Int = defaultMaximumUncompressedBytes) {
        self.today = today
        self.maximumRows = maximumRows
        self.maximumFileBytes = maximumFileBytes
        self.maximumUncompressedBytes = maximumUncompressedBytes
    }

    /// Checks the file at `url`.
    public func check(contentsOf url: URL) throws(ReaderDataFileError) -> ReaderDataFileReport {
        try check(.file(url))
    }

    /// Checks a file held in memory (e.g. an upload).
    public func check(data: Data) throws(ReaderDataFileError) -> ReaderDataFileReport {
        try check(.data(data))
    }

    /// Tells the format from the content without checking rows; throws for files that are no readable spreadsheet.
    public func detectFormat(contentsOf url: URL) throws(ReaderDataFileError) -> ReaderDataFileFormat {
        do {
            return try detect(.file(url)).format
        } catch {
            throw Self.mapped(error)
        }
    }

    private func check(_ source: InputSource) throws(ReaderDataFileError) -> ReaderDataFileReport {
        do {
            let detected = try detect(source)
            var assembler = PipelinedAssembler(
                RosterAssembler(rules: FieldRules(today: today), maximumRows: maximumRows), concurrent: concurrentRowChecks)
            defer { assembler.shutDown() }
            try read(detected, from: source, into: &assembler)
            try assembler.drain()
            return assembler.report(format: detected.format)
        } catch {
            throw Self.mapped(error)
        }
    }

    /// Hands the rows of a detected file to `consumer` (the check, and the second pass of `AnnotatedReturn`).
    func read(_ detected: Detected, from source: InputSource, into consumer: inout some RowConsumer) throws {
        switch detected {
        case .xlsx(let package):
            // Ten text columns per row, twice over: more would be strings no row can use.
            let stringLimit = maximumRows > Int.max / 20 ? Int.max : max(1_000_000, maximumRows * 20)
            try XLSXReader(package: package, maximumSharedStrings: stringLimit).read(into: &consumer)
        case .ods(let package):
            try ODSReader(package: package).read(into: &consumer)
        case .csv:
            try CSVReader(source: source).read(into: &consumer)
        }
    }

    static func mapped(_ error: any Error) -> ReaderDataFileError {
        if let error = error as? ReaderDataFileError { return error }
        return .corrupt(String(describing: error))
    }

    // MARK: Format detection

    enum Detected {
        case xlsx(ZipPackage), ods(ZipPackage), csv

        var format: ReaderDataFileFormat {
            switch self {
            case .xlsx: .xlsx
            case .ods: .ods
            case .csv: .csv
            }
        }
    }

    private static let oleMagic: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]

    /// Other files people attach by mistake, recognised by their first bytes.
    private static let foreignMagic: [[UInt8]] = [
        [0x89, 0x50, 0x4E, 0x47],            // PNG
        [0xFF, 0xD8, 0xFF],                  // JPEG
        Array("GIF8".utf8),
        Array("%PDF".utf8),
        [0x7F, 0x45, 0x4C, 0x46],            // ELF executable
        Array("MZ".utf8),                    // Windows executable
        [0x1F, 0x8B],                        // gzip
        Array("Rar!".utf8),
        [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C], // 7z
    ]

    func detect(_ source: InputSource) throws -> Detected {
        let size = try source.size()
        guard size > 0 else { throw ReaderDataFileError.empty }
        guard size <= maximumFileBytes else { throw ReaderDataFileError.tooLarge(limit: maximumFileBytes) }
        let head = try source.prefix(8192)
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
            return try detectPackage(source)
        }
        if head.starts(with: Self.oleMagic) {
            throw try Self.containsUTF16Name("EncryptedPackage", in: source) ? ReaderDataFileError.encryptedWorkbook : .legacyExcel
        }
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) {
            return .csv  // UTF-16 text with BOM
        }
        let binary = head.contains { $0 < 0x09 || (0x0E...0x1A).contains($0) || (0x1C...0x1F).contains($0) }
        if binary || Self.foreignMagic.contains(where: { head.starts(with: $0) }) {
            throw ReaderDataFileError.notSpreadsheet
        }
        return .csv
    }

    private func detectPackage(_ source: InputSource) throws -> Detected {
        let package = try ZipPackage(source: source, maximumUncompressedBytes: maximumUncompressedBytes)
        if let mimetype = try package.read("mimetype") {
            let type = String(decoding: mimetype.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if type.hasPrefix("application/vnd.oasis.opendocument.spreadsheet") {
                let reader = ODSReader(package: package)
                if try reader.isEncrypted() { throw ReaderDataFileError.encryptedWorkbook }
                return .ods(package)
            }
            if type.hasPrefix("application/vnd.oasis.opendocument.") {
                let kind = type.dropFirst("application/vnd.oasis.opendocument.".count)
                throw ReaderDataFileError.unsupportedFormat("OpenDocument \(kind)")
            }
        }
        if package.contains("xl/workbook.xml") || package.contains("xl/workbook.bin") || package.contains("_rels/.rels") {
            if package.contains("xl/workbook.bin") { throw ReaderDataFileError.unsupportedFormat("Excel 二進位活頁簿（.xlsb）") }
            if package.contains("word/document.xml") { throw ReaderDataFileError.unsupportedFormat("Word（.docx）") }
            if package.contains("ppt/presentation.xml") { throw ReaderDataFileError.unsupportedFormat("PowerPoint（.pptx）") }
            if package.contains("xl/workbook.xml") || package.paths.contains(where: { $0.hasPrefix("xl/") }) {
                return .xlsx(package)
            }
        }
        if package.contains("content.xml") {
            return .ods(package)
        }
        throw ReaderDataFileError.notSpreadsheet
    }

    /// Whether an OLE compound file names a stream `name` (directory entries hold UTF-16LE names).
    private static func containsUTF16Name(_ name: String, in source: InputSource) throws -> Bool {
        let pattern = Array(name.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        var carry: [UInt8] = []
        var found = false
        try source.forEachChunk { chunk in
            let window = carry + chunk
            if window.firstRange(of: pattern) != nil {
                found = true
                throw StopReading()
            }
            carry = Array(window.suffix(pattern.count - 1))
        }
        return found
    }
}
