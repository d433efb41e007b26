import Foundation
import OneCardDomain
import XCTest
@testable import App
import TestSubprocess

/// `onecard group import-batch` after a crash (issue #12, operator errors): the real executable killed
/// mid-import, then run again as an operator would.
extension CommandLineTests {
    /// One statement against the embedded database, as the `sqlite3` shell prints its answer.
    @discardableResult
    func sqlite(_ statement: String) async throws -> String {
        let outcome = try await Subprocess.run(["-cmd", ".timeout 5000", dataDirectory + "/onecard.sqlite", statement], executable: "/usr/bin/sqlite3")
        return outcome.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testImportBatchResumesAnImportACrashLeftOnceItsLeaseRunsOut() async throws {
        let folder = dataDirectory + "-files"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let form = folder + "/form.png"
        try await GroupFiles.document("png").write(to: URL(fileURLWithPath: form))
        let rows = 300
        let roster = folder + "/roster.csv"
        try await GroupFiles.roster((1...rows).map { GroupFiles.row($0) }, writer: "csv").write(to: URL(fileURLWithPath: roster))
        let today = CalendarDay(date: Date(), timeZone: .taipei).iso
        let registered = try await onecard("group", "register", "--library", "NLPI", "--name", "臺中市立示範國民小學", "--kind", "school",
                                     "--contact-name", "李老師", "--contact-title", "圖書館主任", "--contact-phone", "0422625100",
                                     "--contact-email", "contact@school.example.edu.tw", "--letter-number", "中市示小字第1號",
                                     "--letter-date", today, "--application-form", form, "--consent-statement", form)
        XCTAssertEqual(registered.status, 0, registered.stderr)
        let organization = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(registered.stdout.utf8)) as? [String: Any])
        let reference = try XCTUnwrap(organization["reference"] as? String)
        let importing = ["group", "import-batch", roster, "--organization", reference, "--letter-number", "中市示小字第2號", "--letter-date", today]

        // The first run is killed (SIGKILL: no clean-up of any kind) once a few of its one-row chunks have committed.
        let process = try RunningProcess(importing + ["--chunk-size", "1"], executable: Self.executable.path,
                                         environment: Self.environment(dataDirectory: dataDirectory), standardOutput: false)
        let deadline = Date().addingTimeInterval(300)
        while process.isRunning, Date() < deadline {
            if let count = Int(try await sqlite("SELECT imported_count FROM group_batches")), count >= 5 {
                process.send(SIGKILL)
                break
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        let killed = await process.outcome()
        XCTAssertEqual(killed.terminationReason, .uncaughtSignal, "killed mid-import (a longer file if the import outran the test)")
        let batch = try await sqlite("SELECT reference FROM group_batches")
        let status = try await sqlite("SELECT status FROM group_batches")
        XCTAssertEqual(status, "importing")
        let importedCount = try await sqlite("SELECT imported_count FROM group_batches")
        let importedBefore = try XCTUnwrap(Int(importedCount))
        XCTAssertGreaterThanOrEqual(importedBefore, 5)
        XCTAssertLessThan(importedBefore, rows)

        // While the crashed run's lease lasts nobody takes the batch over, and both forms of the command say
        // which batch it is, who approved it and until when it is held.
        let again = try await onecardArguments(importing)
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(again.stderr.contains("letter_number_used: batch \(batch) is being imported by another run"), again.stderr)
        XCTAssertTrue(again.stderr.contains("approved by an operator on the command line"), again.stderr)
        XCTAssertTrue(again.stderr.contains("which holds it until"), again.stderr)
        let early = try await onecard("group", "import-batch", batch)
        XCTAssertEqual(early.status, 1)
        XCTAssertTrue(early.stderr.contains("batch \(batch) is being imported by another run"), early.stderr)
        XCTAssertTrue(early.stderr.contains("run `onecard group import-batch \(batch)` after that time"), early.stderr)
        let stillImported = try await sqlite("SELECT imported_count FROM group_batches")
        XCTAssertEqual(stillImported, String(importedBefore))

        // The lease runs out (moved back ten minutes here rather than waited for). Running the file again says what to do…
        try await sqlite("UPDATE group_batches SET import_lease_until = import_lease_until - 600")
        let hinted = try await onecardArguments(importing)
        XCTAssertEqual(hinted.status, 1)
        XCTAssertTrue(hinted.stderr.contains("batch \(batch) for this letter exists and its import did not finish "
                                             + "(\(importedBefore) of \(rows) rows imported): run `onecard group import-batch \(batch)` to resume it"),
                      hinted.stderr)

        // …and that carries on with the rest, once each.
        let resumed = try await onecard("group", "import-batch", batch, "--chunk-size", "100")
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let result = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(resumed.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(result["batch"] as? String, batch)
        XCTAssertEqual(result["imported"] as? Int, rows - importedBefore)
        XCTAssertEqual(result["completed"] as? Bool, true)
        let completed = try await sqlite("SELECT status || ' ' || imported_count FROM group_batches")
        XCTAssertEqual(completed, "completed \(rows)")
        let patrons = try await sqlite("SELECT count(*) || ' ' || count(DISTINCT card_number) || ' ' || count(DISTINCT id_number_index) FROM patrons")
        XCTAssertEqual(patrons, "\(rows) \(rows) \(rows)")
        let importedRows = try await sqlite("SELECT count(*) FROM group_batch_rows WHERE status = 'imported'")
        XCTAssertEqual(importedRows, String(rows))
        let audited = try await sqlite("SELECT count(*) FROM audit_events WHERE action = 'card.issued_by_group'")
        XCTAssertEqual(audited, String(rows))

        let done = try await onecard("group", "import-batch", batch)
        XCTAssertEqual(done.status, 1)
        XCTAssertTrue(done.stderr.contains("batch \(batch) was completed at"), done.stderr)
        let reused = try await onecardArguments(importing)
        XCTAssertTrue(reused.stderr.contains("letter_number_used: batch \(batch) for this letter was completed at"), reused.stderr)
    }
}
