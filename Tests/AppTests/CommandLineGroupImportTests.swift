import Foundation
import OneCardDomain
import XCTest
@testable import App

/// `onecard group import-batch` after a crash (issue #12, operator errors): the real executable killed
/// mid-import, then run again as an operator would.
extension CommandLineTests {
    /// One statement against the embedded database, as the `sqlite3` shell prints its answer.
    @discardableResult
    func sqlite(_ statement: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = ["-cmd", ".timeout 5000", dataDirectory + "/onecard.sqlite", statement]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testImportBatchResumesAnImportACrashLeftOnceItsLeaseRunsOut() throws {
        let folder = dataDirectory + "-files"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let form = folder + "/form.png"
        try GroupFiles.document("png").write(to: URL(fileURLWithPath: form))
        let rows = 300
        let roster = folder + "/roster.csv"
        try GroupFiles.roster((1...rows).map { GroupFiles.row($0) }, writer: "csv").write(to: URL(fileURLWithPath: roster))
        let today = CalendarDay(date: Date(), timeZone: .taipei).iso
        let registered = try onecard("group", "register", "--library", "NLPI", "--name", "臺中市立示範國民小學", "--kind", "school",
                                     "--contact-name", "李老師", "--contact-title", "圖書館主任", "--contact-phone", "0422625100",
                                     "--contact-email", "contact@school.example.edu.tw", "--letter-number", "中市示小字第1號",
                                     "--letter-date", today, "--application-form", form, "--consent-statement", form)
        XCTAssertEqual(registered.status, 0, registered.stderr)
        let organization = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(registered.stdout.utf8)) as? [String: Any])
        let reference = try XCTUnwrap(organization["reference"] as? String)
        let importing = ["group", "import-batch", roster, "--organization", reference, "--letter-number", "中市示小字第2號", "--letter-date", today]

        // The first run is killed (SIGKILL: no clean-up of any kind) once a few of its one-row chunks have committed.
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = importing + ["--chunk-size", "1"]
        var environment = ProcessInfo.processInfo.environment
        environment["ONECARD_DATA_DIR"] = dataDirectory
        environment["DATABASE_URL"] = nil
        environment["LOG_LEVEL"] = "warning"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(300)
        while process.isRunning, Date() < deadline {
            if let count = Int(try sqlite("SELECT imported_count FROM group_batches")), count >= 5 {
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(10_000)
        }
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal, "killed mid-import (a longer file if the import outran the test)")
        let batch = try sqlite("SELECT reference FROM group_batches")
        XCTAssertEqual(try sqlite("SELECT status FROM group_batches"), "importing")
        let importedBefore = try XCTUnwrap(Int(try sqlite("SELECT imported_count FROM group_batches")))
        XCTAssertGreaterThanOrEqual(importedBefore, 5)
        XCTAssertLessThan(importedBefore, rows)

        // While the crashed run's lease lasts nobody takes the batch over, and both forms of the command say
        // which batch it is, who approved it and until when it is held.
        let again = try onecardArguments(importing)
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("letter_number_used: batch \(batch) is being imported by another run"), again.stderr)
        XCTAssertTrue(again.stderr.contains("approved by an operator on the command line"), again.stderr)
        XCTAssertTrue(again.stderr.contains("which holds it until"), again.stderr)
        let early = try onecard("group", "import-batch", batch)
        XCTAssertEqual(early.status, 1)
        XCTAssertTrue(early.stderr.contains("batch \(batch) is being imported by another run"), early.stderr)
        XCTAssertTrue(early.stderr.contains("run `onecard group import-batch \(batch)` after that time"), early.stderr)
        XCTAssertEqual(try sqlite("SELECT imported_count FROM group_batches"), String(importedBefore))

        // The lease runs out (moved back ten minutes here rather than waited for). Running the file again says what to do…
        try sqlite("UPDATE group_batches SET import_lease_until = import_lease_until - 600")
        let hinted = try onecardArguments(importing)
        XCTAssertEqual(hinted.status, 1)
        XCTAssertTrue(hinted.stderr.contains("batch \(batch) for this letter exists and its import did not finish "
                                             + "(\(importedBefore) of \(rows) rows imported): run `onecard group import-batch \(batch)` to resume it"),
                      hinted.stderr)

        // …and that carries on with the rest, once each.
        let resumed = try onecard("group", "import-batch", batch, "--chunk-size", "100")
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let result = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(resumed.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(result["batch"] as? String, batch)
        XCTAssertEqual(result["imported"] as? Int, rows - importedBefore)
        XCTAssertEqual(result["completed"] as? Bool, true)
        XCTAssertEqual(try sqlite("SELECT status || ' ' || imported_count FROM group_batches"), "completed \(rows)")
        XCTAssertEqual(try sqlite("SELECT count(*) || ' ' || count(DISTINCT card_number) || ' ' || count(DISTINCT id_number_index) FROM patrons"),
                       "\(rows) \(rows) \(rows)")
        XCTAssertEqual(try sqlite("SELECT count(*) FROM group_batch_rows WHERE status = 'imported'"), String(rows))
        XCTAssertEqual(try sqlite("SELECT count(*) FROM audit_events WHERE action = 'card.issued_by_group'"), String(rows))

        let done = try onecard("group", "import-batch", batch)
        XCTAssertEqual(done.status, 1)
        XCTAssertTrue(done.stderr.contains("batch \(batch) was completed at"), done.stderr)
        let reused = try onecardArguments(importing)
        XCTAssertTrue(reused.stderr.contains("letter_number_used: batch \(batch) for this letter was completed at"), reused.stderr)
    }
}
