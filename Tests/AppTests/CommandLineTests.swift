import Fluent
import Foundation
import SIP2
import SQLKit
import XCTVapor
@testable import App
import TestSubprocess

/// Runs the real `onecard` executable, as an operator would, against a fresh embedded database.
final class CommandLineTests: XCTestCase {
    var dataDirectory = ""

    override func setUp() {
        dataDirectory = NSTemporaryDirectory() + "onecard-cli-\(UUID().uuidString)"
    }

    static var executable: URL {
        // The test bundle lives in the same build directory as the executable.
        var directory = Bundle(for: CommandLineTests.self).bundleURL
        while directory.pathExtension == "xctest" || !FileManager.default.fileExists(atPath: directory.appendingPathComponent("onecard").path) {
            let parent = directory.deletingLastPathComponent()
            if parent == directory { break }
            directory = parent
        }
        return directory.appendingPathComponent("onecard")
    }

    struct Outcome {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    func onecard(_ arguments: String..., environment extra: [String: String] = [:]) async throws -> Outcome {
        try await onecardArguments(arguments, environment: extra)
    }

    func onecardArguments(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> Outcome {
        let outcome = try await Self.run(arguments, environment: Self.environment(dataDirectory: dataDirectory, extra))
        return Outcome(status: outcome.status, stdout: outcome.stdoutText, stderr: outcome.stderrText)
    }

    /// The environment an operator's shell would give the command: this test's data directory (or none, so
    /// `./data` of the working directory), the embedded database, warnings only, then `extra` (nil removes).
    static func environment(dataDirectory: String?, _ extra: [String: String?] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["ONECARD_DATA_DIR"] = dataDirectory
        environment["DATABASE_URL"] = nil
        environment["LOG_LEVEL"] = "warning"
        for (key, value) in extra { environment[key] = value }
        return environment
    }

    /// Runs the real executable and waits for it without holding a cooperative thread.
    static func run(_ arguments: [String], environment: [String: String], currentDirectory: URL? = nil) async throws -> Subprocess.Outcome {
        try await Subprocess.run(arguments, executable: executable.path, environment: environment, currentDirectory: currentDirectory)
    }

    /// Issue #17 item 5: a library's sender, Reply-To and branch page are set from the command line, kept,
    /// cleared with an empty value, and a malformed address is refused.
    func testLibrarySetMailKeepsTheLibrarysSenderAndReplyTo() async throws {
        let set = try await onecard("library", "set-mail", "--library", "tpml", "--from", "no-reply@tpml.gov.taipei",
                              "--reply-to", "service@tpml.gov.taipei")
        XCTAssertEqual(set.status, 0, set.stderr)
        XCTAssertEqual(set.stdout, "TPML: from no-reply@tpml.gov.taipei, reply-to service@tpml.gov.taipei, branches https://tpml.gov.taipei/\n")
        let cleared = try await onecard("library", "set-mail", "--library", "TPML", "--reply-to", "", "--branches-url", "https://tpml.gov.taipei/branches")
        XCTAssertEqual(cleared.status, 0, cleared.stderr)
        XCTAssertEqual(cleared.stdout, "TPML: from no-reply@tpml.gov.taipei, reply-to (none), branches https://tpml.gov.taipei/branches\n")
        let named = try await onecard("library", "set-mail", "--library", "TPML", "--from", "TPML <no-reply@tpml.gov.taipei>")
        XCTAssertNotEqual(named.status, 0)
        XCTAssertTrue(named.stderr.contains("--from must be a bare email address"), named.stderr)
        let nothing = try await onecard("library", "set-mail", "--library", "NTPL")
        XCTAssertNotEqual(nothing.status, 0)
    }

    func testDueDateCountsTheSaturdayMakeUpWorkingDay() async throws {
        let result = try await onecard("calendar", "due", "2025-02-06", "3")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "2025-02-10\n")
    }

    func testDueDateSkipsTheLunarNewYearHolidays2026() async throws {
        // 2026-02-13 (Fri) is the last working day before the holiday; offices reopen on 2026-02-23.
        let result = try await onecard("calendar", "due", "2026-02-12", "3")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "2026-02-24\n")
    }

    /// 休館日 on a day that is no working day already is set all the same, with a warning on standard error
    /// naming what the day is; a working day gets none.
    func testClosingAHolidayOrAWeekendWarns() async throws {
        let holiday = try await onecard("calendar", "close", "2026-04-04", "--library", "TPML", "--reason", "盤點")
        XCTAssertEqual(holiday.status, 0, holiday.stderr)
        XCTAssertEqual(holiday.stdout, "TPML is closed on 2026-04-04.\n")
        XCTAssertTrue(holiday.stderr.contains("warning: 2026-04-04 is already a holiday on the government office calendar (兒童節)"), holiday.stderr)
        let weekend = try await onecard("calendar", "close", "2027-01-09", "--library", "TPML")
        XCTAssertEqual(weekend.status, 0, weekend.stderr)
        XCTAssertTrue(weekend.stderr.contains("warning: 2027-01-09 is a weekend day"), "no 2027 calendar: Saturday by the weekday rule")
        let workingDay = try await onecard("calendar", "close", "2026-04-08", "--library", "TPML")
        XCTAssertEqual(workingDay.status, 0, workingDay.stderr)
        XCTAssertFalse(workingDay.stderr.contains("warning"), workingDay.stderr)
        let due = try await onecard("calendar", "due", "2026-04-07", "1", "--library", "TPML")
        XCTAssertEqual(due.stdout, "2026-04-09\n", "the days were closed all the same")
    }

    func testImportingANewYearIsACommandAndLibraryClosedDaysAreSkipped() async throws {
        // A 2027 calendar in the official shape: BOM, CRLF, weekends off, one holiday, one Saturday make-up day.
        var csv = "\u{FEFF}西元日期,星期,是否放假,備註\r\n"
        let weekdays = ["一", "二", "三", "四", "五", "六", "日"]
        var components = DateComponents(year: 2027, month: 1, day: 1)
        let calendar = Calendar(identifier: .gregorian)
        var date = calendar.date(from: components)!
        while calendar.component(.year, from: date) == 2027 {
            components = calendar.dateComponents([.year, .month, .day, .weekday], from: date)
            let weekdayIndex = (components.weekday! + 5) % 7
            let compact = String(format: "%04d%02d%02d", components.year!, components.month!, components.day!)
            var off = weekdayIndex >= 5
            var note = ""
            if compact == "20270101" { off = true; note = "開國紀念日" }
            if compact == "20270109" { off = false; note = "補行上班" }
            csv += "\(compact),\(weekdays[weekdayIndex]),\(off ? 2 : 0),\(note)\r\n"
            date = calendar.date(byAdding: .day, value: 1, to: date)!
        }
        let file = dataDirectory + "-2027.csv"
        try csv.write(toFile: file, atomically: true, encoding: .utf8)

        let before = try await onecard("calendar", "due", "2027-01-07", "2")
        XCTAssertEqual(before.stdout, "2027-01-11\n", "without the file, weekends only")
        XCTAssertTrue(before.stderr.contains("no official calendar for 2027"))

        let imported = try await onecard("calendar", "import", file)
        XCTAssertEqual(imported.status, 0, imported.stderr)
        XCTAssertTrue(imported.stdout.contains("Imported 365 days (2027-01-01 to 2027-12-31)"), imported.stdout)
        let after = try await onecard("calendar", "due", "2027-01-07", "2")
        XCTAssertEqual(after.stdout, "2027-01-09\n", "the Saturday make-up day counts")
        let answer1 = try await onecard("calendar", "import", file).status
        XCTAssertEqual(answer1, 0, "importing twice is harmless")

        let answer2 = try await onecard("calendar", "close", "2027-01-08", "--library", "TPML", "--reason", "年度盤點").status
        XCTAssertEqual(answer2, 0)
        let answer3 = try await onecard("calendar", "due", "2027-01-07", "2", "--library", "TPML").stdout
        XCTAssertEqual(answer3, "2027-01-11\n")
        let answer4 = try await onecard("calendar", "due", "2027-01-07", "2", "--library", "NTPL").stdout
        XCTAssertEqual(answer4, "2027-01-09\n", "other libraries are open")
        let answer5 = try await onecard("calendar", "reopen", "2027-01-08", "--library", "TPML").status
        XCTAssertEqual(answer5, 0)
        let answer6 = try await onecard("calendar", "due", "2027-01-07", "2", "--library", "TPML").stdout
        XCTAssertEqual(answer6, "2027-01-09\n")
    }

    func testABrokenCalendarFileIsRefusedWithTheLineAtFault() async throws {
        let file = dataDirectory + "-broken.csv"
        try "西元日期,星期,是否放假,備註\n20270101,五,2,開國紀念日\n20270102,六,7,\n".write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await onecard("calendar", "import", file)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("line 3"), result.stderr)
        let answer7 = try await onecard("calendar", "due", "2027-01-01", "1").stdout
        XCTAssertEqual(answer7, "2027-01-04\n", "nothing of the broken file was imported")
        let bad = try await onecard("calendar", "due", "2027-13-01", "1")
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("is not a date"))
    }

    func testStaffCreatePrintsAOneTimeLinkAndRefusesUnknownLibraries() async throws {
        let created = try await onecard("staff", "create", "--library", "TPML", "--role", "desk", "--email", "desk@example.org",
                                  environment: ["ONECARD_BASE_URL": "https://onecard.example.tw"])
        XCTAssertEqual(created.status, 0, created.stderr)
        XCTAssertTrue(created.stdout.hasPrefix("https://onecard.example.tw/staff/password?token="), created.stdout)
        XCTAssertEqual(created.stdout.split(separator: "\n").count, 1)
        let duplicate = try await onecard("staff", "create", "--library", "TPML", "--role", "desk", "--email", "desk@example.org")
        XCTAssertEqual(duplicate.status, 1)
        XCTAssertTrue(duplicate.stderr.contains("already exists"))
        let unknown = try await onecard("staff", "create", "--library", "NOPE", "--role", "desk", "--email", "x@example.org")
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.contains("no library with code 'NOPE'"))
    }

    func testFirstStartGeneratesOwnerOnlyKeysAndTheDatabase() async throws {
        let answer8 = try await onecard("migrate").status
        XCTAssertEqual(answer8, 0)
        for file in ["keys.json", "onecard.sqlite"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: dataDirectory + "/" + file)
            XCTAssertEqual((attributes[.posixPermissions] as! NSNumber).intValue & 0o077, 0, "\(file) must be owner-only")
        }
        let rotated = try await onecard("keys", "rotate")
        XCTAssertEqual(rotated.status, 0, rotated.stderr)
        XCTAssertTrue(rotated.stdout.contains("1 older key(s) kept"))
    }

    /// Issue #13 item 5: asking for help writes nothing (it used to create ./data with keys and a migrated
    /// database), and a command that reads the database writes nothing to one that exists.
    func testHelpWritesNothingAndCalendarDueLeavesAnExistingDataDirectoryAsItWas() async throws {
        for arguments in [["--help"], ["staff", "--help"], ["serve", "--help"]] {
            let help = try await onecardArguments(arguments)
            XCTAssertEqual(help.status, 0, help.stderr)
            XCTAssertTrue(help.stdout.contains("Usage: "), help.stdout)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dataDirectory), "\(arguments) created \(dataDirectory)")
        }
        let answer9 = try await onecard("calendar", "due", "2025-02-06", "3").status
        XCTAssertEqual(answer9, 0)
        func snapshot() throws -> [String: Data] {
            var files: [String: Data] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: dataDirectory) {
                files[name] = FileManager.default.contents(atPath: dataDirectory + "/" + name)
            }
            return files
        }
        let before = try snapshot()
        let due = try await onecard("calendar", "due", "2025-02-06", "3")
        XCTAssertEqual(due.stdout, "2025-02-10\n")
        XCTAssertEqual(try snapshot(), before, "calendar due reads; it writes nothing")
    }

    func testCaptchaTestAnswerIsRefusedInProduction() async throws {
        let result = try await onecard("calendar", "due", "2025-02-06", "3", "--env", "production",
                                 environment: ["ONECARD_CAPTCHA_TEST_ANSWER": "12345"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("ONECARD_CAPTCHA_TEST_ANSWER"), result.stderr)
    }

    func testMigrateOnPostgreSQLAppliesEverythingOnceAndTheCLIUsesIt() async throws {
        guard let url = TestDatabase.postgresURL else {
            throw XCTSkip("runs in the PostgreSQL pass of scripts/test (ONECARD_TEST_DATABASE_URL)")
        }
        // Start from an empty schema, as a new deployment does.
        let app = try await Application.make(.testing)
        try await configure(app, settings: OneCardSettings(dataDirectory: dataDirectory, database: .postgres(url),
                                                           migratesOnBoot: false, runsBackgroundWorkers: false, bcryptCost: 10))
        let sql = app.db as! any SQLDatabase
        try await sql.raw("DROP SCHEMA IF EXISTS public CASCADE").run()
        try await sql.raw("CREATE SCHEMA public").run()
        try await app.asyncShutdown()

        let environment = ["DATABASE_URL": url]
        let first = try await onecard("migrate", environment: environment)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("+ App.SeedConsortium"), first.stdout)
        let applied = first.stdout.split(separator: "\n").filter { $0.hasPrefix("+ ") }
        XCTAssertTrue(applied.contains("+ App.CreatePatron"), first.stdout)
        XCTAssertTrue(first.stdout.contains("Applied \(applied.count) migration(s)."), first.stdout)
        let second = try await onecard("migrate", environment: environment)
        XCTAssertEqual(second.stdout, "No pending migrations.\n")
        let answer10 = try await onecard("calendar", "due", "2026-02-12", "3", environment: environment).stdout
        XCTAssertEqual(answer10, "2026-02-24\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dataDirectory + "/onecard.sqlite"), "no SQLite file when DATABASE_URL is set")
    }

    func testSeedDemoPrintsUsableAccountsAsJSON() async throws {
        let result = try await onecard("seed-demo")
        XCTAssertEqual(result.status, 0, result.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let staff = try XCTUnwrap(object["staff"] as? [[String: String]])
        XCTAssertEqual(Set(staff.compactMap { $0["role"] }), ["desk", "reviewer", "admin"])
        XCTAssertTrue(staff.allSatisfy { ($0["password"]?.count ?? 0) >= 12 && $0["email"] != nil })
        let readers = try XCTUnwrap(object["readers"] as? [[String: String]])
        XCTAssertEqual(readers.count, 2)
        for reader in readers {
            XCTAssertEqual(reader["cardNumber"]?.count, 13)
            XCTAssertTrue(reader["cardNumber"]?.hasPrefix("1001") ?? false)
            XCTAssertEqual(reader["idNumber"]?.count, 10)
            XCTAssertNotNil(reader["password"])
        }
        let clients = try XCTUnwrap(object["apiClients"] as? [[String: String]])
        XCTAssertEqual(clients.count, 1)
        XCTAssertGreaterThan(clients[0]["token"]?.count ?? 0, 30)
        XCTAssertNotNil(object["sip2Accounts"] as? [Any])
    }

    static var fixtures: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ReaderDataFileTests/Fixtures").path
    }

    func testRosterCheckPrintsTheJSONOfTheInterfaceAndExitsByOutcome() async throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures)
        let bad = try XCTUnwrap(files.first { $0.hasPrefix("bad-rows") })
        let result = try await onecard("roster", "check", Self.fixtures + "/" + bad)
        XCTAssertEqual(result.status, 1, result.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["file"] as? String, bad)
        XCTAssertEqual(report["format"] as? String, "xlsx")
        let errors = try XCTUnwrap(report["errors"] as? [[String: Any]])
        XCTAssertFalse(errors.isEmpty)
        XCTAssertTrue(errors.allSatisfy { $0["row"] is Int && $0["column"] is String && $0["code"] is String && $0["message"] is String })
        XCTAssertLessThan(report["valid"] as! Int, report["rows"] as! Int)

        let clean = try await onecard("roster", "check", Self.fixtures + "/template-openpyxl.xlsx")
        XCTAssertEqual(clean.status, 0, clean.stdout)
        XCTAssertTrue(clean.stdout.hasPrefix(#"{"file":"template-openpyxl.xlsx","format":"xlsx","rows":5,"valid":5,"errors":[]}"#), clean.stdout)

        let unreadable = Self.fixtures + "/picture.png.xlsx"
        let refused = try await onecard("roster", "check", unreadable)
        XCTAssertEqual(refused.status, 2, refused.stdout)
        // The message users saw when it was written in ReaderDataFile, now read from zh-TW.json.
        XCTAssertTrue(refused.stdout.hasPrefix(#"{"file":"picture.png.xlsx","error":{"code":"not_spreadsheet","message":"這不是試算表檔案，請上傳 xlsx、ods 或 csv 格式的讀者資料檔。"}}"#),
                      refused.stdout)
        let missing = try await onecard("roster", "check", "/nonexistent/roster.xlsx")
        XCTAssertEqual(missing.status, 2)
    }

    func testRosterCheckWorksOfflineWithoutCreatingADataDirectoryKeysOrADatabase() async throws {
        // No ONECARD_DATA_DIR: the default ./data of the working directory would be used by other commands.
        let workingDirectory = NSTemporaryDirectory() + "onecard-roster-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: workingDirectory, withIntermediateDirectories: true)
        let checked = try await Self.run(["roster", "check", Self.fixtures + "/template-openpyxl.xlsx"], environment: Self.environment(dataDirectory: nil),
                                         currentDirectory: URL(fileURLWithPath: workingDirectory))
        let stdout = checked.stdoutText
        XCTAssertEqual(checked.status, 0, stdout)
        XCTAssertTrue(stdout.contains(#""rows":5,"valid":5"#), stdout)
        let left = try FileManager.default.contentsOfDirectory(atPath: workingDirectory)
        XCTAssertEqual(left, [], "roster check must not create ./data, keys.json or a database")
        // Other commands do use the data directory.
        let due = try await onecard("calendar", "due", "2025-02-06", "3")
        XCTAssertEqual(due.status, 0, due.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dataDirectory + "/keys.json"))
    }

    func testAnOldKeyIsRetiredOnlyAfterEverythingIsReencrypted() async throws {
        let demo = try await onecard("seed-demo")
        XCTAssertEqual(demo.status, 0, demo.stderr)
        func keyIDs() throws -> [String] {
            let data = try Data(contentsOf: URL(fileURLWithPath: dataDirectory + "/keys.json"))
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
            return try XCTUnwrap(json["encryptionKeys"] as? [[String: Any]]).compactMap { $0["id"] as? String }
        }
        let original = try XCTUnwrap(try keyIDs().first)
        let answer11 = try await onecard("keys", "rotate").status
        XCTAssertEqual(answer11, 0)
        let current = try XCTUnwrap(try keyIDs().first)
        XCTAssertNotEqual(current, original)

        let early = try await onecard("keys", "retire", original)
        XCTAssertEqual(early.status, 1)
        XCTAssertTrue(early.stderr.contains("patrons.id_number_sealed") && early.stderr.contains("keys reencrypt"), early.stderr)
        XCTAssertEqual(try keyIDs().count, 2, "nothing retired")
        let currentRefused = try await onecard("keys", "retire", current)
        XCTAssertEqual(currentRefused.status, 1, "the key new data is sealed with cannot go")

        let reencrypted = try await onecard("keys", "reencrypt")
        XCTAssertEqual(reencrypted.status, 0, reencrypted.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(reencrypted.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["key"] as? String, current)
        let counts = try XCTUnwrap(report["resealed"] as? [String: Int])
        XCTAssertGreaterThanOrEqual(counts["patrons.id_number_sealed"] ?? 0, 2, "the demo readers")

        let retired = try await onecard("keys", "retire", original)
        XCTAssertEqual(retired.status, 0, retired.stderr)
        XCTAssertEqual(try keyIDs(), [current])
        // With the old key gone the commands still start, and a second pass finds nothing left to move.
        let again = try await onecard("keys", "reencrypt")
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains(#""resealed":{}"#), again.stdout)
    }

    func testWithAMasterKeyNoKeyFileIsWrittenAndAMalformedOneStopsTheStart() async throws {
        let secret = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let good = try await onecard("calendar", "due", "2025-02-06", "3", environment: ["ONECARD_MASTER_KEY": secret])
        XCTAssertEqual(good.status, 0, good.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dataDirectory + "/onecard.sqlite"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dataDirectory + "/keys.json"), "keys come from the variable")
        let rotate = try await onecard("keys", "rotate", environment: ["ONECARD_MASTER_KEY": secret])
        XCTAssertNotEqual(rotate.status, 0, "rotation with a master key is done by changing the variable")
        XCTAssertTrue(rotate.stderr.contains("ONECARD_MASTER_KEY"), rotate.stderr)

        let bad = try await onecard("calendar", "due", "2025-02-06", "3", environment: ["ONECARD_MASTER_KEY": "not-a-key"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("ONECARD_MASTER_KEY"), bad.stderr)
        XCTAssertFalse(bad.stderr.contains("not-a-key"), "the secret itself is never echoed")
    }

    func testLogLevelWrittenInDotEnvIsHonoured() async throws {
        func run(dotEnv: String?) async throws -> String {
            let workingDirectory = NSTemporaryDirectory() + "onecard-dotenv-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: workingDirectory, withIntermediateDirectories: true)
            if let dotEnv { try dotEnv.write(toFile: workingDirectory + "/.env", atomically: true, encoding: .utf8) }
            let due = try await Self.run(["calendar", "due", "2025-02-06", "3"],
                                         environment: Self.environment(dataDirectory: workingDirectory + "/data", ["LOG_LEVEL": nil]),
                                         currentDirectory: URL(fileURLWithPath: workingDirectory))
            XCTAssertEqual(due.status, 0, due.stderrText)
            return due.stderrText
        }
        let withDebug = try await run(dotEnv: "LOG_LEVEL=debug\n")
        XCTAssertTrue(withDebug.contains(#""level":"debug""#), "LOG_LEVEL from .env turns on debug lines")
        let without = try await run(dotEnv: nil)
        XCTAssertFalse(without.contains(#""level":"debug""#), "without it, no debug lines")
    }

    func sip2Accounts() async throws -> [[String: Any]] {
        let listed = try await onecard("sip2", "account", "list", "--json")
        XCTAssertEqual(listed.status, 0, listed.stderr)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]], listed.stdout)
    }

    func testSIP2AccountsAreListedDisabledEnabledRotatedAndUpdated() async throws {
        let created = try await onecard("sip2", "account", "create", "--user", "vendor1", "--library", "TPML", "--allow", "10.0.0.0/8")
        XCTAssertEqual(created.status, 0, created.stderr)
        let firstPassword = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let accounts = try await sip2Accounts()
        var account = try XCTUnwrap(accounts.first)
        XCTAssertEqual(account["user"] as? String, "vendor1")
        XCTAssertEqual(account["library"] as? String, "TPML")
        XCTAssertEqual(account["institution"] as? String, "TPML")
        XCTAssertEqual(account["allowedAddresses"] as? [String], ["10.0.0.0/8"])
        XCTAssertEqual(account["errorDetection"] as? Bool, true)
        XCTAssertEqual(account["disabled"] as? Bool, false)
        XCTAssertNil(account["passwordHash"], "no hash in the listing")
        let answer12 = try await onecard("sip2", "account", "list").stdout.contains(firstPassword)
        XCTAssertFalse(answer12)

        let answer13 = try await onecard("sip2", "account", "disable", "--user", "vendor1").status
        XCTAssertEqual(answer13, 0)
        let answer14 = try await sip2Accounts().first?["disabled"] as? Bool
        XCTAssertEqual(answer14, true)
        let table = try await onecard("sip2", "account", "list")
        XCTAssertTrue(table.stdout.hasPrefix("USER"), table.stdout)
        XCTAssertTrue(table.stdout.contains("vendor1") && table.stdout.contains("10.0.0.0/8"), table.stdout)
        let answer15 = try await onecard("sip2", "account", "enable", "--user", "vendor1").status
        XCTAssertEqual(answer15, 0)
        let answer16 = try await sip2Accounts().first?["disabled"] as? Bool
        XCTAssertEqual(answer16, false)

        let rotated = try await onecard("sip2", "account", "rotate-password", "--user", "vendor1")
        XCTAssertEqual(rotated.status, 0, rotated.stderr)
        let newPassword = rotated.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(rotated.stdout.split(separator: "\n").count, 1, "the new password, once, alone")
        XCTAssertGreaterThanOrEqual(newPassword.count, 20)
        XCTAssertNotEqual(newPassword, firstPassword)

        let updated = try await onecard("sip2", "account", "update", "--user", "vendor1", "--allow", "127.0.0.1/32,192.168.0.0/16",
                                  "--encoding", "cp950", "--no-error-detection", "--personal-data")
        XCTAssertEqual(updated.status, 0, updated.stderr)
        let accountsAfter = try await sip2Accounts()
        account = try XCTUnwrap(accountsAfter.first)
        XCTAssertEqual(account["allowedAddresses"] as? [String], ["127.0.0.1/32", "192.168.0.0/16"])
        XCTAssertEqual(account["encoding"] as? String, "cp950")
        XCTAssertEqual(account["errorDetection"] as? Bool, false)
        XCTAssertEqual(account["personalData"] as? Bool, true)
        XCTAssertEqual(account["alternateIDs"] as? Bool, false)

        // Bad input: a message naming the option, a non-zero exit, and nothing changed.
        let refusals: [([String], String)] = [
            (["update", "--user", "nobody", "--encoding", "utf8"], "--user"),
            (["disable", "--user", "nobody"], "--user"),
            (["rotate-password", "--user", "nobody"], "--user"),
            (["update", "--user", "vendor1", "--allow", "10.0.0.0/33", "--encoding", "utf8"], "--allow"),
            (["update", "--user", "vendor1", "--encoding", "big5", "--error-detection"], "--encoding"),
            (["update", "--user", "vendor1", "--personal-data", "--no-personal-data"], "--personal-data"),
            (["update", "--user", "vendor1"], "nothing to change"),
        ]
        for (arguments, option) in refusals {
            let refused = try await onecardArguments(["sip2", "account"] + arguments)
            XCTAssertNotEqual(refused.status, 0, arguments.joined(separator: " "))
            XCTAssertTrue(refused.stderr.contains(option), "\(arguments): \(refused.stderr)")
        }
        let accountsNow = try await sip2Accounts()
        let after = try XCTUnwrap(accountsNow.first)
        XCTAssertEqual(after["allowedAddresses"] as? [String], ["127.0.0.1/32", "192.168.0.0/16"])
        XCTAssertEqual(after["encoding"] as? String, "cp950")
        XCTAssertEqual(after["errorDetection"] as? Bool, false)
        XCTAssertEqual(after["personalData"] as? Bool, true)
    }

    /// Issue #12, item 8: an account is open to every address only when asked for.
    func testSIP2AccountCreateWithoutAllowIsForThisMachineOnly() async throws {
        let created = try await onecard("sip2", "account", "create", "--user", "kiosk1", "--library", "TPML")
        XCTAssertEqual(created.status, 0, created.stderr)
        XCTAssertEqual(created.stdout.split(separator: "\n").count, 1, "the password, alone, as before")
        XCTAssertTrue(created.stderr.contains("--allow") && created.stderr.contains("127.0.0.1,::1"), created.stderr)
        let answer17 = try await sip2Accounts().first?["allowedAddresses"] as? [String]
        XCTAssertEqual(answer17, ["127.0.0.1", "::1"])

        let open = try await onecard("sip2", "account", "create", "--user", "kiosk2", "--library", "TPML", "--allow", "any")
        XCTAssertEqual(open.status, 0, open.stderr)
        XCTAssertFalse(open.stderr.contains("--allow"), "asked for, so no note")
        let listed = try await sip2Accounts().first { $0["user"] as? String == "kiosk2" }
        XCTAssertEqual(listed?["allowedAddresses"] as? [String], [], "--allow any: every address")
        let answer18 = try await onecard("sip2", "account", "list").stdout.contains("any")
        XCTAssertTrue(answer18)
    }

    /// Starts `onecard serve` with a SIP2 port and waits until SIP2 answers on `expectedHost`.
    func serveWithSIP2(_ arguments: [String], environment extra: [String: String] = [:], expectedHost: String) async throws -> (RunningProcess, Int) {
        let httpPort = Int.random(in: 41000...45000), sip2Port = httpPort + 1000
        let server = try RunningProcess(["serve", "--port", String(httpPort)] + arguments, executable: Self.executable.path,
                                        environment: Self.environment(dataDirectory: dataDirectory, extra.merging(["ONECARD_SIP2_PORT": String(sip2Port)]) { $1 }),
                                        standardOutput: false)
        for _ in 0..<400 {
            if let client = try? await SIP2Client.connect(host: expectedHost, port: sip2Port) {
                await client.close()
                return (server, sip2Port)
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        await server.stop()
        let never: Int? = nil
        return (server, try XCTUnwrap(never, "onecard serve should listen for SIP2 on \(expectedHost):\(sip2Port)"))
    }

    func sip2Reachable(_ host: String, _ port: Int) async -> Bool {
        guard let client = try? await SIP2Client.connect(host: host, port: port) else { return false }
        await client.close()
        return true
    }

    /// Issue #12, item 8: SIP2 listens where `serve --hostname` puts the web server, or on ONECARD_SIP2_HOST.
    func testSIP2BindsWhereTheHTTPServerBindsOrWhereItIsTold() async throws {
        do {
            let (server, port) = try await serveWithSIP2(["--hostname", "127.0.0.1"], expectedHost: "127.0.0.1")
            let elsewhere = await sip2Reachable("127.0.0.2", port)
            await server.stop()
            XCTAssertFalse(elsewhere, "bound to 127.0.0.1 only, not to every interface")
        }
        do {
            let (server, port) = try await serveWithSIP2(
                ["--hostname", "127.0.0.1"], environment: ["ONECARD_SIP2_HOST": "127.0.0.2"], expectedHost: "127.0.0.2")
            let httpAddress = await sip2Reachable("127.0.0.1", port)
            await server.stop()
            XCTAssertFalse(httpAddress, "the explicit setting wins over the web server's address")
        }
    }

    func testServeStartsTheSIP2ListenerAndSeedDemoAccountsWorkThroughIt() async throws {
        let seeded = try await onecard("seed-demo")
        XCTAssertEqual(seeded.status, 0, seeded.stderr)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(seeded.stdout.utf8)) as? [String: Any])
        let account = try XCTUnwrap((object["sip2Accounts"] as? [[String: String]])?.first)
        let reader = try XCTUnwrap((object["readers"] as? [[String: String]])?.first)

        let httpPort = Int.random(in: 41000...45000), sip2Port = httpPort + 1000
        // Stopped at the end, or killed by its `deinit` if the test throws before.
        let server = try RunningProcess(["serve", "--hostname", "127.0.0.1", "--port", String(httpPort)], executable: Self.executable.path,
                                        environment: Self.environment(dataDirectory: dataDirectory, ["ONECARD_SIP2_PORT": String(sip2Port)]),
                                        standardOutput: false)

        var client: SIP2Client?
        for _ in 0..<200 where client == nil {
            client = try? await SIP2Client.connect(host: "127.0.0.1", port: sip2Port, errorDetection: true)
            if client == nil { try await Task.sleep(nanoseconds: 50_000_000) }
        }
        let connected = try XCTUnwrap(client, "onecard serve should listen for SIP2 on ONECARD_SIP2_PORT")
        let login = try SIP2LoginResponse(try await connected.request(SIP2LoginRequest(user: account["user"]!, password: account["password"]!).message))
        XCTAssertTrue(login.ok)
        let request = SIP2PatronStatusRequest(patronIdentifier: reader["cardNumber"]!, patronPassword: reader["password"]!,
                                              institution: account["institution"]!)
        let answer = try SIP2PatronStatusResponse(try await connected.request(request.message))
        XCTAssertEqual(answer.validPatron, true)
        XCTAssertEqual(answer.validPatronPassword, true)
        XCTAssertEqual(answer.personalName, reader["name"])
        await connected.close()
        await server.stop()
    }

    /// An instance that kept its files on disk moves them into the database: a dry run first, then the
    /// move, then a run after one that stopped before removing a disk copy; the files open afterwards.
    func testFilesMoveFromDiskIntoTheDatabaseOnceAndStillOpen() async throws {
        let postgres = TestDatabase.postgresURL
        let database: OneCardSettings.DatabaseChoice = postgres.map { .postgres($0) } ?? .sqliteFile(dataDirectory + "/onecard.sqlite")
        let directory = dataDirectory
        var documents: [GroupDocument] = []
        var onDisk: [String: Data] = [:]
        try await withTestApp(adjust: { $0.dataDirectory = directory; $0.database = database; $0.fileStorage = .disk }) { app in
            let group = try await GroupFixtures.submitted(app)
            documents = try await GroupDocument.query(on: app.db).filter(\.$application.$id == group.requireID()).all()
            onDisk = filesUnderUploads(app)
        }
        XCTAssertEqual(Set(onDisk.keys), Set(documents.map { $0.id!.uuidString.lowercased() }))
        let uploads = directory + "/uploads"
        func leftOnDisk() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: uploads)) ?? []).sorted() }

        var environment = postgres.map { ["DATABASE_URL": $0] } ?? [:]
        environment["ONECARD_FILE_STORAGE"] = "disk"
        let refused = try await onecard("files", "move-to-database", environment: environment)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("files are kept on disk here"), refused.stderr)
        XCTAssertEqual(leftOnDisk().count, 2)

        environment["ONECARD_FILE_STORAGE"] = "database"
        let dryRun = try await onecard("files", "move-to-database", "--dry-run", environment: environment)
        XCTAssertEqual(dryRun.status, 0, dryRun.stderr)
        XCTAssertEqual(dryRun.stdout, #"{"alreadyInDatabase":0,"differing":0,"dryRun":true,"moved":2,"unreadable":0}"# + "\n")
        XCTAssertEqual(leftOnDisk().count, 2, "a dry run changes nothing")

        let moved = try await onecard("files", "move-to-database", environment: environment)
        XCTAssertEqual(moved.status, 0, moved.stderr)
        XCTAssertEqual(moved.stdout, #"{"alreadyInDatabase":0,"differing":0,"dryRun":false,"moved":2,"unreadable":0}"# + "\n")
        XCTAssertEqual(leftOnDisk(), [], "each disk copy goes once its row is committed")

        // A run that stopped after a commit and before removing the disk copy: the next one only removes it.
        let (name, bytes) = try XCTUnwrap(onDisk.first)
        XCTAssertTrue(FileManager.default.createFile(atPath: uploads + "/" + name, contents: bytes))
        let resumed = try await onecard("files", "move-to-database", environment: environment)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(resumed.stdout, #"{"alreadyInDatabase":1,"differing":0,"dryRun":false,"moved":0,"unreadable":0}"# + "\n")
        XCTAssertEqual(leftOnDisk(), [])

        // The instances, now keeping files in the database, find them there as they were sealed, and open them.
        let app = try await Application.make(.testing)
        var settings = OneCardSettings(dataDirectory: directory, database: database, migratesOnBoot: false, runsBackgroundWorkers: false,
                                       bcryptCost: 10)
        settings.fileStorage = .database
        do {
            try await configure(app, settings: settings)
            let rows = try await SealedFile.query(on: app.db).all()
            XCTAssertEqual(Dictionary(uniqueKeysWithValues: rows.map { ($0.id!.uuidString.lowercased(), $0.sealed) }), onDisk,
                           "the same sealed bytes, byte for byte")
            XCTAssertEqual(Set(rows.map(\.keyID)), [app.vault.keyRing.currentKeyID])
            let moves = try await AuditEvent.query(on: app.db).filter(\.$action == "sealed_files.moved_to_database").count()
            XCTAssertEqual(moves, 2, "each real run is on the trail; the dry run is not")
            let reviewer = try await signedInStaff(app, role: "reviewer", library: "NLPI", email: "reviewer@nlpi.example")
            for (document, kind) in [(GroupDocument.Kind.applicationForm, "pdf"), (.consentStatement, "png")] {
                let id = try XCTUnwrap(documents.first { $0.kind == document }?.id)
                let file = try await reviewer.get("/staff/group/documents/\(id.uuidString)")
                XCTAssertEqual(file.status, .ok)
                let uploaded = try await GroupFiles.document(kind)
                XCTAssertEqual(Data(buffer: file.body), uploaded)
            }
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}
