import Foundation
import OneCardDomain
import Testing
@testable import ReaderDataFile

@Suite("Files that cannot be read are refused with a reason")
struct RefusalTests {
    @Test(arguments: [
        ("encrypted.xlsx", "encrypted_workbook"),   // msoffcrypto-tool: an OLE compound file with EncryptedPackage
        ("encrypted.ods", "encrypted_workbook"),    // manifest with encryption-data
        ("legacy.xls.xlsx", "legacy_xls"),          // xlwt, renamed
        ("picture.png.xlsx", "not_spreadsheet"),
        ("program.csv", "not_spreadsheet"),
        ("photos.zip.xlsx", "not_spreadsheet"),
        ("letter.odt.xlsx", "unsupported_format"),
        ("empty.csv", "file_empty"),
        ("doctype.xlsx", "xml_doctype"),
        ("zip-bomb.xlsx", "zip_bomb"),
        ("zip-bomb-lying.xlsx", "zip_bomb"),
    ])
    func refused(name: String, code: String) {
        let error = refusal(name)
        #expect(error?.code == code, "\(name): \(String(describing: error))")
        #expect(error?.messageKey == "group.file_error.\(code)")
    }

    @Test("zip bombs: the declared size is checked first; a forged one is caught while inflating")
    func zipBombLimits() {
        let small = ReaderDataFileChecker(today: today, maximumUncompressedBytes: 8 << 20)
        let start = Date()
        #expect(refusal("zip-bomb.xlsx", small) == .zipBomb)
        #expect(refusal("zip-bomb-lying.xlsx", small) == .zipBomb)
        #expect(refusal("zip-bomb-lying.xlsx") == .zipBomb)  // default limits: the compression ratio
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test("more data rows than the maximum")
    func tooManyRows() throws {
        #expect(refusal("thirty-rows.xlsx", ReaderDataFileChecker(today: today, maximumRows: 25)) == .tooManyRows(limit: 25))
        #expect(refusal("thirty-rows.xlsx", ReaderDataFileChecker(today: today, maximumRows: 29)) == .tooManyRows(limit: 29))
        let report = try check("thirty-rows.xlsx", ReaderDataFileChecker(today: today, maximumRows: 30))
        #expect(report.rows == 30)
        #expect(report.validRows.count == 30)
    }

    @Test("a file larger than the maximum file size")
    func tooLarge() {
        #expect(refusal("thirty-rows.xlsx", ReaderDataFileChecker(today: today, maximumFileBytes: 1000)) == .tooLarge(limit: 1000))
    }

    @Test("missing file and directory")
    func unreadable() {
        let missing = Result { try checker.check(contentsOf: URL(fileURLWithPath: "/nonexistent/roster.xlsx")) }
        #expect(throws: ReaderDataFileError.self) { try missing.get() }
        let directory = Result { try checker.check(contentsOf: URL(fileURLWithPath: NSTemporaryDirectory())) }
        if case .failure(let error as ReaderDataFileError) = directory {
            #expect(error.code == "file_unreadable")
        } else {
            Issue.record("a directory was read")
        }
    }

    @Test("a truncated xlsx is corrupt, not a crash")
    func truncated() throws {
        let data = try Data(contentsOf: Fixtures.url("template-openpyxl.xlsx"))
        for length in [10, 100, data.count / 2, data.count - 10] {
            let error = Result { try checker.check(data: data.prefix(length)) }
            if case .failure(let error as ReaderDataFileError) = error {
                #expect(["file_corrupt", "xml_malformed", "not_spreadsheet"].contains(error.code), "\(length): \(error)")
            } else {
                Issue.record("truncated to \(length) bytes was read")
            }
        }
    }

    @Test("format detection looks at the content, not the name")
    func detection() throws {
        #expect(try checker.detectFormat(contentsOf: Fixtures.url("roster.ods")) == .ods)
        #expect(try checker.detectFormat(contentsOf: Fixtures.url("big5.csv")) == .csv)
        #expect(try checker.detectFormat(contentsOf: Fixtures.url("handmade.xlsx")) == .xlsx)
        #expect(throws: ReaderDataFileError.notSpreadsheet) { try checker.detectFormat(contentsOf: Fixtures.url("picture.png.xlsx")) }
    }
}
