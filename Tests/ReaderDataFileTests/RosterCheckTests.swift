import Foundation
import OneCardDomain
import Testing
@testable import ReaderDataFile

@Suite("onecard roster check: JSON and exit codes")
struct RosterCheckTests {
    private func object(_ json: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    @Test("exit 0 when every row is valid")
    func clean() throws {
        let outcome = RosterCheck.run(path: Fixtures.url("template-openpyxl.xlsx").path, checker: checker, message: \.messageKey)
        #expect(outcome.exitCode == 0)
        #expect(outcome.json == #"{"file":"template-openpyxl.xlsx","format":"xlsx","rows":5,"valid":5,"errors":[]}"#)
    }

    @Test("exit 1 with every error, in INTERFACES.md's shape")
    func invalidRows() throws {
        let outcome = RosterCheck.run(path: Fixtures.url("utf8-bom.csv").path, checker: checker, message: \.messageKey)
        #expect(outcome.exitCode == 1)
        #expect(outcome.json == #"{"file":"utf8-bom.csv","format":"csv","rows":3,"valid":2,"errors":[{"row":4,"column":"身分證字號","code":"id_checksum","message":"身分證字號檢查碼錯誤"}]}"#)
        let bad = try object(RosterCheck.run(path: Fixtures.url("bad-rows-xlsxwriter.xlsx").path, checker: checker, message: \.messageKey).json)
        #expect(bad["rows"] as? Int == 16)
        #expect(bad["valid"] as? Int == 2)
        #expect((bad["errors"] as? [[String: Any]])?.count == 16)
    }

    @Test("exit 1 for a missing header column")
    func headerMissing() {
        #expect(RosterCheck.run(path: Fixtures.url("missing-email-column.xlsx").path, checker: checker, message: \.messageKey).exitCode == 1)
    }

    @Test("exit 2 with the reason when the file cannot be read")
    func unreadable() throws {
        let outcome = RosterCheck.run(path: Fixtures.url("encrypted.xlsx").path, checker: checker, message: \.messageKey)
        #expect(outcome.exitCode == 2)
        let json = try object(outcome.json)
        #expect(json["file"] as? String == "encrypted.xlsx")
        let error = try #require(json["error"] as? [String: Any])
        #expect(error["code"] as? String == "encrypted_workbook")
        #expect(error["message"] as? String == "group.file_error.encrypted_workbook")
        #expect(RosterCheck.run(path: "/nonexistent/roster.xlsx", checker: checker, message: \.messageKey).exitCode == 2)
    }

    @Test("JSON strings are escaped")
    func escaping() {
        #expect(RosterCheck.quoted("a\"b\\c\nd\u{1}中") == #""a\"b\\c\nd\u0001中""#)
    }
}
