import Fluent
import Foundation
import NIOConcurrencyHelpers
import OneCardDomain
import XCTVapor
@testable import App
import TestSubprocess

/// Helpers of the group application (集體辦證) tests: files written by openpyxl, xlsxwriter, odfpy and
/// Pillow, and an approved organization with its contact signed in (forms with files go through
/// `TestBrowser.postMultipart`, as a browser sends them).
enum GroupFiles {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = repositoryRoot.appendingPathComponent("tests/group/make_group_files.py").path
    static let folder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("onecard-group-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Runs the python helper; a missing module fails the test with the install command, never skips it.
    @discardableResult
    static func python(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) async throws -> Data {
        let outcome = try await Subprocess.run(["python3", script] + arguments)
        if outcome.status != 0 {
            XCTFail("make_group_files.py \(arguments.first ?? "") exited \(outcome.status): \(outcome.stderrText) — pip install -r tests/requirements.txt",
                    file: file, line: line)
            throw CocoaError(.fileWriteUnknown)
        }
        return outcome.stdout
    }

    private static let cache = NIOLockedValueBox<[String: Data]>([:])

    /// A scanned form as Pillow writes it (pdf, png or jpeg).
    static func document(_ kind: String) async throws -> Data {
        if let cached = cache.withLockedValue({ $0[kind] }) { return cached }
        let url = folder.appendingPathComponent("document-\(UUID().uuidString).\(kind)")
        try await python(["document", kind, url.path])
        let data = try Data(contentsOf: url)
        cache.withLockedValue { $0[kind] = data }
        return data
    }

    /// A reader data file written by `writer` (openpyxl, xlsxwriter, odfpy, csv) with these rows below the template's headers.
    static func roster(_ rows: [[Any]], writer: String = "openpyxl", title: String? = nil, headers: [String]? = nil) async throws -> Data {
        var spec: [String: Any] = ["rows": rows]
        if let title { spec["title"] = title }
        if let headers { spec["headers"] = headers }
        let specURL = folder.appendingPathComponent("spec-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: spec).write(to: specURL)
        let out = folder.appendingPathComponent("roster-\(UUID().uuidString)")
        try await python(["roster", writer, specURL.path, out.path])
        return try Data(contentsOf: out)
    }

    /// Every sheet of an xlsx as openpyxl reads it: sheet → cell reference → value and fill colour.
    static func readXLSX(_ data: Data) async throws -> [String: [String: [String: Any]]] {
        let url = folder.appendingPathComponent("read-\(UUID().uuidString).xlsx")
        try data.write(to: url)
        let json = try await python(["read-xlsx", url.path])
        return try JSONSerialization.jsonObject(with: json) as? [String: [String: [String: Any]]] ?? [:]
    }

    /// A valid row of the template for the n-th person (a student unless `staff`).
    static func row(_ n: Int, name: String? = nil, id: String? = nil, staff: Bool = false, email: String? = nil) -> [Any] {
        [n, id ?? nationalID(n, letter: "B"), name ?? "學生\(n)", n % 2 == 0 ? "女" : "男", "date:2012-03-\(String(format: "%02d", 1 + n % 28))",
         staff ? "教職員" : "學生", email ?? "reader\(n)@school.example.edu.tw", "0912345\(String(format: "%03d", n % 1000))", "五年甲班", ""]
    }
}

/// Emails in the outbox as they are sent (one-time links in place), newest last.
func outboxMails(_ app: Application) async throws -> [MailMessage] {
    try await OutboxMessage.query(on: app.db).filter(\.$kind == .email).sort(\.$id).all()
        .map { try sentMail($0, app) }
}

/// The path and query of the first link to `path` in `text`.
func linkPath(_ path: String, in text: String) -> String? {
    let pattern = NSRegularExpression.escapedPattern(for: path) + #"\?token=[A-Za-z0-9_-]+"#
    guard let range = text.range(of: pattern, options: .regularExpression) else { return nil }
    return String(text[range])
}

/// Everything an approved organization needs in a test.
struct ApprovedOrganization {
    let record: GroupApplicationRecord
    let contact: TestBrowser
    let reviewer: TestBrowser
}

enum GroupFixtures {
    static func input(name: String = "臺中市立示範國民小學", email: String = "contact@school.example.edu.tw",
                      letter: String = "中市示小字第1150000001號") -> GroupApplicationInput {
        var input = GroupApplicationInput()
        input.organizationName = name
        input.organizationKind = "school"
        input.contactName = "李老師"
        input.contactTitle = "圖書館主任"
        input.contactPhone = "04-2262-5100#1117"
        input.contactEmail = email
        input.letterNumber = letter
        input.letterDate = "2026-11-02"
        input.acceptsObligations = true
        return input
    }

    /// An application submitted through the service (the web form has its own tests).
    static func submitted(_ app: Application, email: String = "contact@school.example.edu.tw",
                          name: String = "臺中市立示範國民小學") async throws -> GroupApplicationRecord {
        try await GroupServices.application(app).submit(
            input(name: name, email: email), libraryCode: "NLPI",
            applicationForm: UploadedFile(bytes: try await GroupFiles.document("pdf")),
            consentStatement: UploadedFile(bytes: try await GroupFiles.document("png")), locale: .zhTW, ipAddress: "192.0.2.1",
            rateLimited: false)
    }

    /// A submitted application approved by an NLPI reviewer through the web, and its contact signed in
    /// with the emailed link.
    static func approved(_ app: Application, email: String = "contact@school.example.edu.tw", reviewer: TestBrowser? = nil,
                         name: String = "臺中市立示範國民小學") async throws -> ApprovedOrganization {
        let record = try await submitted(app, email: email, name: name)
        let reviewerBrowser: TestBrowser
        if let reviewer {
            reviewerBrowser = reviewer
        } else {
            reviewerBrowser = try await signedInStaff(app, role: "reviewer", library: "NLPI", email: "reviewer@nlpi.example")
        }
        let page = try await reviewerBrowser.get("/staff/group/applications/\(record.id!.uuidString)")
        XCTAssertEqual(page.status, .ok)
        let decided = try await reviewerBrowser.post("/staff/group/applications/\(record.id!.uuidString)/decision", form: ["decision": "approve"])
        XCTAssertEqual(decided.status, .seeOther)
        let contact = try await signInContact(app, email: email)
        let fresh = try await GroupApplicationRecord.find(record.id, on: app.db)!
        return ApprovedOrganization(record: fresh, contact: contact, reviewer: reviewerBrowser)
    }

    /// Opens the newest sign-in link sent to `email` and presses the button.
    static func signInContact(_ app: Application, email: String) async throws -> TestBrowser {
        let mails = try await outboxMails(app).filter { $0.to == email }
        let path = try XCTUnwrap(mails.reversed().lazy.compactMap { linkPath("/group-application/contact/sign-in", in: $0.body) }.first)
        let browser = TestBrowser(app)
        let page = try await browser.get(path)
        XCTAssertEqual(page.status, .ok)
        let token = String(path.split(separator: "=")[1])
        let signedIn = try await browser.post("/group-application/contact/sign-in", form: ["token": token])
        XCTAssertEqual(signedIn.status, .seeOther)
        return browser
    }

    /// A contact back after their session ended (sessions end 8 hours after the last request): asks for a
    /// new sign-in link and opens it.
    static func signInAgain(_ app: Application, email: String = "contact@school.example.edu.tw") async throws -> TestBrowser {
        let browser = TestBrowser(app)
        try await browser.get("/group-application/contact")
        let asked = try await browser.post("/group-application/contact", form: ["email": email])
        XCTAssertEqual(asked.status, .ok)
        try await answerLinkRequests(app)
        return try await signInContact(app, email: email)
    }

    /// Uploads a reader data file as the contact would.
    @discardableResult
    static func upload(_ contact: TestBrowser, _ data: Data, letter: String = "中市示小字第1150000002號", date: String = "2026-11-16",
                       filename: String = "讀者資料.xlsx") async throws -> XCTHTTPResponse {
        try await contact.get("/group-application/contact/batches/new")
        return try await contact.postMultipart("/group-application/contact/batches/new",
                                               fields: ["letterNumber": letter, "letterDate": date],
                                               files: ["file": (filename: filename, type: "application/octet-stream", data: [UInt8](data))])
    }
}

/// The group services as the server wires them: each given what it uses from the test app.
enum GroupServices {
    static func application(_ app: Application) -> GroupApplicationService {
        let now = app.clock.now()
        return GroupApplicationService(database: app.db, sealedFiles: app.sealedFiles, threadPool: app.threadPool,
                                       outbox: Outbox(localizer: app.localizer, settings: app.settings, vault: app.vault, now: now),
                                       baseURL: app.settings.baseURL, now: now)
    }

    static func intake(_ app: Application, now: Date) -> GroupRosterIntake {
        GroupRosterIntake(database: app.db, vault: app.vault, sealedFiles: app.sealedFiles, threadPool: app.threadPool,
                          outbox: Outbox(localizer: app.localizer, settings: app.settings, vault: app.vault, now: now), now: now)
    }

    static func importer(_ app: Application) -> GroupBatchImporter {
        GroupBatchImporter(database: app.db, clock: app.clock, localizer: app.localizer, settings: app.settings, vault: app.vault, logger: app.logger)
    }
}
