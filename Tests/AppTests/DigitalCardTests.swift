import Fluent
import SQLKit
import Foundation
import OneCardDomain
import XCTVapor
@testable import App
import TestSubprocess

/// Pictures written by Pillow and piexif (Tests/UploadInspectionTests/make_upload_fixtures.py).
enum UploadFixtures {
    /// Made once, on first use, by a task that waits for python without holding a cooperative thread.
    private static let directory = Task<URL, Never> {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("digital-card-fixtures-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("UploadInspectionTests/make_upload_fixtures.py")
        let outcome = try! await Subprocess.run(["python3", script.path, "make", directory.path])
        precondition(outcome.status == 0, "make_upload_fixtures.py needs python3 with Pillow and piexif (scripts/install-test-tools): \(outcome.stderrText)")
        return directory
    }

    static func bytes(_ name: String) async -> [UInt8] {
        Array(FileManager.default.contents(atPath: await directory.value.appendingPathComponent(name).path)!)
    }
}

final class DigitalCardTests: XCTestCase {
    static let password = "river lantern mango"

    func eligible(_ app: Application, idNumber: String = "A123456789") async throws -> TestBrowser {
        let browser = TestBrowser(app)
        try await browser.get("/digital-card")
        let response = try await browser.post("/digital-card", form: ["idNumber": idNumber])
        XCTAssertEqual(response.headers.first(name: .location), "/digital-card/form")
        try await browser.get("/digital-card/form")
        return browser
    }

    func fields(name: String = "王小明", birthDate: String = "1990-05-03") -> [String: String] {
        ["name": name, "birthDate": birthDate, "email": "wang@example.org", "mobile": "0912345678",
         "password": Self.password, "passwordConfirmation": Self.password, "agree": "yes"]
    }

    func jpeg(_ name: String = "plain.jpg") async -> (filename: String, type: String, data: [UInt8]) {
        (name, "image/jpeg", await UploadFixtures.bytes(name))
    }

    func mails(_ app: Application) async throws -> [MailMessage] {
        try await OutboxMessage.query(on: app.db).filter(\.$kind == .email).sort(\.$id).all()
            .map { try sentMail($0, app) }
    }

    // MARK: Eligibility

    func testEligibilityIsCheckedBeforeAnyUpload() async throws {
        try await withTestApp { app in
            let browser = TestBrowser(app)
            let start = try await browser.get("/digital-card")
            XCTAssertTrue(start.text.contains(#"<label for="idNumber"><span class="required" aria-hidden="true">*</span> 身分證字號</label>"#))
            XCTAssertFalse(start.text.contains(#"type="file""#), "nothing is uploaded before the check")

            let foreign = try await browser.post("/digital-card", form: ["idNumber": "FD12345676"])
            XCTAssertEqual(foreign.status, .conflict)
            XCTAssertTrue(foreign.text.contains("外籍人士無法線上辦理數位借閱證"))
            let unified = try await browser.post("/digital-card", form: ["idNumber": "A800000014"])
            XCTAssertTrue(unified.text.contains("請攜帶居留證或護照至圖書館服務臺辦理實體借閱證"))

            let typo = try await browser.post("/digital-card", form: ["idNumber": "A123456788"])
            XCTAssertEqual(typo.status, .unprocessableEntity)
            XCTAssertTrue(typo.text.contains(##"<a href="#idNumber">"##))

            // Someone with a Taipei card (or any consortium card, NLPI and Taichung included) is told their card already works.
            let holder = try await activateCard(app, try await submitApplication(app, idNumber: "A123456789"))
            XCTAssertEqual(holder.status, .active)
            let holds = try await browser.post("/digital-card", form: ["idNumber": "a123456789"])
            XCTAssertEqual(holds.status, .conflict)
            XCTAssertTrue(holds.text.contains("您的借閱證可以直接使用數位資源"))
            let form = try await browser.get("/digital-card/form")
            XCTAssertEqual(form.headers.first(name: .location), "/digital-card", "no form without passing the check")

            _ = try await eligible(app, idNumber: nationalID(77))
            let english = TestBrowser(app)
            english.acceptLanguage = "en"
            try await english.get("/digital-card")
            let foreignEN = try await english.post("/digital-card", form: ["idNumber": "FD12345676"])
            XCTAssertTrue(foreignEN.text.contains("Foreign residents cannot apply for a digital card online"))
        }
    }

    // MARK: Uploads

    func testAnAbandonedEligibilityCheckLeavesNoIDNumberInTheDatabaseFile() async throws {
        guard TestDatabase.postgresURL == nil else { throw XCTSkip("checks the embedded SQLite file") }
        let directory = NSTemporaryDirectory() + "onecard-digital-file-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let file = directory + "/onecard.sqlite"
        try await withTestApp(adjust: { $0.database = .sqliteFile(file) }) { app in
            // Passes the check, reaches the form, and walks away: the session row stays behind.
            let browser = try await eligible(app, idNumber: "F234567898")
            let form = try await browser.get("/digital-card/form")
            XCTAssertEqual(form.status, .ok, "the sealed number still opens the form")
            let sessions = try await (app.db as! SQLDatabase).raw("SELECT COUNT(*) AS n FROM web_sessions").first()
            XCTAssertEqual(try sessions?.decode(column: "n", as: Int.self), 1, "the session really is in the database")
        }
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: file + "-wal"))) ?? Data()
        XCTAssertNil(bytes.range(of: Data("F234567898".utf8)), "the ID number must not be stored in clear")
        XCTAssertNil(wal.range(of: Data("F234567898".utf8)))
    }

    func testAnApplicationWithIDCardPhotosIsStoredSealedWithoutGPSAndDueInThreeWorkingDays() async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_795_000_000)) // 2026-11-18 (Wed) 17:06 Taipei
        try await withTestApp(clock: clock) { app in
            let browser = try await eligible(app)
            let gps = await UploadFixtures.bytes("gps.jpg")
            XCTAssertNotNil(gps.firstRange(of: Array("Exif".utf8)), "the fixture carries EXIF with GPS")
            let response = try await browser.postMultipart("/digital-card/form", fields: fields(), files: [
                "idFront": ("front.jpg", "image/jpeg", gps), "idBack": await jpeg(),
            ])
            XCTAssertEqual(response.headers.first(name: .location), "/digital-card/done")
            let done = try await browser.get("/digital-card/done")
            XCTAssertTrue(done.text.contains("我們會在 民國115年11月23日 前完成審核"), "Thu, Fri, Mon: the third working day")

            let application = try await XCTUnwrapAsync(await DigitalCardApplication.query(on: app.db).with(\.$patron).first())
            XCTAssertEqual(application.status, .submitted)
            XCTAssertEqual(application.patron.status, .pending)
            XCTAssertEqual(application.patron.cardKind, .digital)
            XCTAssertNil(application.patron.cardNumber)
            let library = try await Library.find(application.patron.$library.id, on: app.db)
            XCTAssertEqual(library?.code, "NLPI")
            let files = try await IdentityDocumentFile.query(on: app.db).all()
            XCTAssertEqual(Set(files.map(\.slot)), ["id_front", "id_back"])
            let front = try XCTUnwrap(files.first { $0.slot == "id_front" })
            XCTAssertEqual(front.removedMetadata?.contains("EXIF"), true)

            // Stored sealed (no JPEG marker, no EXIF): on disk in the data directory, owner-only and not under
            // Public; or as a row of the database.
            let raw = try await XCTUnwrapAsync(await storedSealedFiles(app)[front.id!.uuidString.lowercased()])
            XCTAssertFalse(raw.starts(with: [0xFF, 0xD8]))
            XCTAssertNil(Array(raw).firstRange(of: Array("Exif".utf8)))
            if app.settings.fileStorage == .disk {
                let path = (app.settings.dataDirectory as NSString).appendingPathComponent("uploads/\(front.id!.uuidString.lowercased())")
                let attributes = try FileManager.default.attributesOfItem(atPath: path)
                XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
            }
            let opened = try await app.identityDocuments.read(front.id!)
            XCTAssertTrue(opened.starts(with: [0xFF, 0xD8]))
            XCTAssertNil(Array(opened).firstRange(of: Array("Exif".utf8)), "GPS and EXIF are gone from what is stored")

            let consent = try await ConsentRecord.query(on: app.db).with(\.$document).first()
            XCTAssertEqual(consent?.document.code, "NLPI_PRIVACY")
            let received = try await mails(app)
            XCTAssertEqual(received.map(\.subject), ["數位借閱證申請已收到"])
            XCTAssertTrue(received[0].body.contains("民國115年11月23日"), "a zh-TW email speaks 民國 dates: \(received[0].body)")
        }
    }

    func testEveryUploadRuleNamesTheFieldAndStoresNothing() async throws {
        try await withTestApp { app in
            let browser = try await eligible(app)
            var eleven = await UploadFixtures.bytes("plain.jpg")
            eleven += [UInt8](repeating: 0, count: 11 * 1024 * 1024 - eleven.count)
            let executable = Array(FileManager.default.contents(atPath: "/bin/ls")!)
            let response = try await browser.postMultipart("/digital-card/form", fields: fields(), files: [
                "idFront": ("id-front.jpg", "image/jpeg", executable),
                "idBack": ("id-back.jpg", "image/jpeg", eleven),
            ])
            XCTAssertEqual(response.status, .unprocessableEntity)
            XCTAssertTrue(response.text.contains(#"<p class="field-error" id="idFront-error">只接受 JPEG、PNG 圖片或 PDF 檔，這個檔案不是（請勿只改副檔名）</p>"#))
            XCTAssertTrue(response.text.contains(#"<p class="field-error" id="idBack-error">檔案超過 10 MB，請縮小後再上傳</p>"#))

            let huge = try await browser.postMultipart("/digital-card/form", fields: fields(), files: [
                "idFront": ("scan.png", "image/png", await UploadFixtures.bytes("huge.png")), "idBack": await jpeg(),
            ])
            XCTAssertTrue(huge.text.contains(#"id="idFront-error">圖片的像素太多"#))

            let missing = try await browser.postMultipart("/digital-card/form", fields: fields(), files: ["idFront": await jpeg()])
            XCTAssertTrue(missing.text.contains(##"<a href="#idBack">請上傳這份證件</a>"##))

            var noConsent = fields()
            noConsent["agree"] = nil
            let unticked = try await browser.postMultipart("/digital-card/form", fields: noConsent, files: ["idFront": await jpeg(), "idBack": await jpeg()])
            XCTAssertTrue(unticked.text.contains(##"<a href="#agree">"##))

            let patrons = try await Patron.query(on: app.db).count()
            let files = try await IdentityDocumentFile.query(on: app.db).count()
            XCTAssertEqual(patrons, 0)
            XCTAssertEqual(files, 0)
            let stored = try await storedSealedFiles(app)
            XCTAssertEqual(Array(stored.keys), [], "no file of a refused application stays stored")
        }
    }

    func testWithoutAnIDCardTheHouseholdRegisterAndUnderTwelveTheGuardiansDocuments() async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_795_000_000))
        try await withTestApp(clock: clock) { app in
            let teen = try await eligible(app, idNumber: nationalID(12))
            var teenFields = fields(birthDate: "2012-03-01")
            teenFields["noIDCard"] = "yes"
            let onlyID = try await teen.postMultipart("/digital-card/form", fields: teenFields, files: ["idFront": await jpeg(), "idBack": await jpeg()])
            XCTAssertTrue(onlyID.text.contains(##"<a href="#householdRegister">請上傳這份證件</a>"##))
            let register = try await teen.postMultipart("/digital-card/form", fields: teenFields, files: [
                "householdRegister": ("register.pdf", "application/pdf", await UploadFixtures.bytes("document.pdf"))])
            XCTAssertEqual(register.status, .seeOther)

            let child = try await eligible(app, idNumber: nationalID(13))
            let noGuardian = try await child.postMultipart("/digital-card/form", fields: fields(birthDate: "2018-06-01"), files: [:])
            for anchor in ["guardianName", "guardianRelation", "guardianIDFront", "guardianIDBack", "householdRegister"] {
                XCTAssertTrue(noGuardian.text.contains("<a href=\"#\(anchor)\">"), anchor)
            }
            var childFields = fields(birthDate: "2018-06-01")
            childFields["guardianName"] = "王大明"
            childFields["guardianRelation"] = "父"
            let complete = try await child.postMultipart("/digital-card/form", fields: childFields, files: [
                "guardianIDFront": await jpeg(), "guardianIDBack": await jpeg(), "householdRegister": await jpeg("plain.jpg")])
            XCTAssertEqual(complete.status, .seeOther)
            let minor = try await DigitalCardApplication.query(on: app.db).filter(\.$documentSet == "minor").first()
            XCTAssertEqual(minor?.guardianName, "王大明")
            XCTAssertEqual(minor?.guardianRelation, "父")
        }
    }

    // MARK: Review

    func submitted(_ app: Application, idNumber: String = "A123456789") async throws -> DigitalCardApplication {
        let browser = try await eligible(app, idNumber: idNumber)
        let response = try await browser.postMultipart("/digital-card/form", fields: fields(), files: ["idFront": await jpeg("gps.jpg"), "idBack": await jpeg()])
        XCTAssertEqual(response.status, .seeOther)
        let index = app.vault.blindIndex(IdentityNumber.normalize(idNumber), context: CardApplicationService.idNumberContext)
        let patron = try await Patron.query(on: app.db).filter(\.$idNumberIndex == index).first()!
        return try await DigitalCardApplication.query(on: app.db).filter(\.$patron.$id == patron.requireID()).with(\.$patron).first()!
    }

    func testDueDatesSkipTheLunarNewYearHolidays() async throws {
        // Friday 2026-02-13, the last working day before 春節 (14–22 February).
        let clock = TestClock(Date(timeIntervalSince1970: 1_770_962_400)) // 2026-02-13 14:00 Taipei
        try await withTestApp(clock: clock) { app in
            let application = try await submitted(app)
            XCTAssertEqual(application.dueOn, "2026-02-25", "23, 24, 25 February are the three working days")
            let today = CalendarDay(date: clock.now, timeZone: .taipei)
            XCTAssertEqual(today.iso, "2026-02-13")
        }
    }

    func testTheQueueIsSortedByDueDateMarksOverdueAndEveryLookIsAudited() async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_795_000_000)) // 2026-11-18
        try await withTestApp(clock: clock) { app in
            let first = try await submitted(app, idNumber: nationalID(21))
            clock.advance(by: 86400 * 2)
            let second = try await submitted(app, idNumber: nationalID(22))
            clock.advance(by: 86400 * 4) // 2026-11-24: the first is overdue
            let reviewer = try await signedInStaff(app, role: "reviewer", library: "NLPI", email: "reviewer@nlpi.example")
            let queue = try await reviewer.get("/staff/digital-cards")
            XCTAssertEqual(queue.status, .ok)
            let html = queue.text
            let firstAt = try XCTUnwrap(html.range(of: first.patron.applicationNumber)).lowerBound
            let secondAt = try XCTUnwrap(html.range(of: second.patron.applicationNumber)).lowerBound
            XCTAssertLessThan(firstAt, secondAt, "earliest due date first")
            XCTAssertTrue(html.contains(#"<tr class="overdue">"#))
            XCTAssertTrue(html.contains("<time datetime=\"\(first.dueOn)\">民國115年11月23日</time> <strong class=\"tag overdue-tag\">逾期</strong>"))

            let detail = try await reviewer.get("/staff/digital-cards/\(first.id!.uuidString)")
            XCTAssertTrue(detail.text.contains("A1"), "the reviewer compares the full ID number with the picture")
            let fileIDs = try await IdentityDocumentFile.query(on: app.db).filter(\.$application.$id == first.requireID()).all()
            let image = try await reviewer.get("/staff/digital-cards/\(first.id!.uuidString)/files/\(fileIDs[0].id!.uuidString)")
            XCTAssertEqual(image.status, .ok)
            XCTAssertEqual(image.headers.contentType?.description, "image/jpeg")
            XCTAssertEqual(image.headers.first(name: .cacheControl), "no-store")
            XCTAssertEqual(image.headers.first(name: "X-Content-Type-Options"), "nosniff")
            // The document's own sandbox policy reaches the browser, alone; the page around it keeps the site's.
            XCTAssertEqual(image.headers["Content-Security-Policy"], ["default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"])
            let pagePolicy = detail.headers.first(name: "Content-Security-Policy") ?? ""
            XCTAssertTrue(pagePolicy.contains("frame-ancestors 'none'") && pagePolicy.contains("script-src 'self'"), pagePolicy)
            XCTAssertFalse(pagePolicy.contains("sandbox"), pagePolicy)
            let views = try await AuditEvent.query(on: app.db).filter(\.$action == "identity_document.viewed").count()
            XCTAssertEqual(views, 1)
            let looked = try await AuditEvent.query(on: app.db).filter(\.$action == "digital_card.viewed").count()
            XCTAssertEqual(looked, 1)

            // Only reviewers of the issuing library.
            let taipei = try await signedInStaff(app, role: "reviewer", library: "TPML", email: "reviewer@tpml.example")
            let elsewhere = try await taipei.get("/staff/digital-cards")
            XCTAssertEqual(elsewhere.status, .forbidden)
            let desk = try await signedInStaff(app, role: "desk", library: "NLPI", email: "desk@nlpi.example")
            let deskLook = try await desk.get("/staff/digital-cards/\(first.id!.uuidString)/files/\(fileIDs[0].id!.uuidString)")
            XCTAssertEqual(deskLook.status, .forbidden)
            let anonymous = try await TestBrowser(app).get("/staff/digital-cards/\(first.id!.uuidString)/files/\(fileIDs[0].id!.uuidString)")
            XCTAssertNotEqual(anonymous.status, .ok)
        }
    }

    func testApproveRejectAndReturnForCorrectionEmailTheApplicant() async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_795_000_000))
        try await withTestApp(clock: clock) { app in
            let approved = try await submitted(app, idNumber: nationalID(31))
            let rejected = try await submitted(app, idNumber: nationalID(32))
            let returned = try await submitted(app, idNumber: nationalID(33))
            let reviewer = try await signedInStaff(app, role: "reviewer", library: "NLPI", email: "reviewer@nlpi.example")

            try await reviewer.get("/staff/digital-cards/\(approved.id!.uuidString)")
            let approve = try await reviewer.post("/staff/digital-cards/\(approved.id!.uuidString)", form: ["decision": "approve"])
            XCTAssertEqual(approve.headers.first(name: .location), "/staff/digital-cards?decided=approve")
            let card = try await XCTUnwrapAsync(await Patron.find(approved.patron.id, on: app.db))
            XCTAssertEqual(card.status, .active)
            XCTAssertEqual(card.cardKind, .digital)
            XCTAssertEqual(card.cardNumber?.hasPrefix("1005"), true, "an NLPI card number")

            try await reviewer.get("/staff/digital-cards/\(rejected.id!.uuidString)")
            let noReason = try await reviewer.post("/staff/digital-cards/\(rejected.id!.uuidString)", form: ["decision": "reject"])
            XCTAssertEqual(noReason.status, .unprocessableEntity)
            XCTAssertTrue(noReason.text.contains("退件或補件時請填寫說明。"))
            try await reviewer.post("/staff/digital-cards/\(rejected.id!.uuidString)", form: ["decision": "reject", "reason": "證件影像與填寫資料不符"])
            let gone = try await XCTUnwrapAsync(await Patron.find(rejected.patron.id, on: app.db))
            XCTAssertEqual(gone.status, .expired)
            XCTAssertNil(gone.idNumberIndex, "a rejected person may apply again")

            try await reviewer.get("/staff/digital-cards/\(returned.id!.uuidString)")
            try await reviewer.post("/staff/digital-cards/\(returned.id!.uuidString)", form: ["decision": "return", "reason": "身分證反面模糊，請重新拍攝"])
            let sent = try await mails(app)
            XCTAssertTrue(sent.contains { $0.subject == "數位借閱證已開通" && $0.body.contains(card.cardNumber!) })
            XCTAssertTrue(sent.contains { $0.subject == "數位借閱證申請未核准" && $0.body.contains("證件影像與填寫資料不符") })
            let returnMail = try XCTUnwrap(sent.first { $0.subject == "數位借閱證申請請補件" })
            XCTAssertTrue(returnMail.body.contains("身分證反面模糊"))
            let link = try XCTUnwrap(returnMail.body.split(separator: "\n").first { $0.contains("/digital-card/correction?token=") })
            let path = String(link[link.range(of: "/digital-card/correction")!.lowerBound...])

            // The applicant uploads again; the application is back in the queue with a new due date.
            clock.advance(by: 86400 * 2)
            let applicant = TestBrowser(app)
            let page = try await applicant.get(path)
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.text.contains("身分證反面模糊，請重新拍攝"))
            let token = String(path.split(separator: "=").last!)
            let bad = try await applicant.postMultipart("/digital-card/correction", fields: ["token": token], files: [
                "idBack": ("back.jpg", "image/jpeg", Array("not a picture".utf8))])
            XCTAssertTrue(bad.text.contains(#"id="idBack-error""#))
            let again = try await applicant.postMultipart("/digital-card/correction", fields: ["token": token], files: ["idBack": await jpeg()])
            XCTAssertEqual(again.status, .seeOther)
            let back = try await XCTUnwrapAsync(await DigitalCardApplication.find(returned.id, on: app.db))
            XCTAssertEqual(back.status, .submitted)
            XCTAssertEqual(back.dueOn, "2026-11-25")
            let reused = try await TestBrowser(app).get(path)
            XCTAssertEqual(reused.status, .gone, "a correction link works once")
            let superseded = try await IdentityDocumentFile.query(on: app.db).filter(\.$application.$id == returned.requireID())
                .filter(\.$slot == "id_back").sort(\.$uploadedAt).all().map(\.superseded)
            XCTAssertEqual(superseded, [true, false])

            // Retention: 30 days after the decision the approved and rejected applications' files are erased; the records stay.
            clock.advance(by: 86400 * 31)
            let result = try await OutboxWorkerLifecycle.digitalCards(app).housekeeping()
            XCTAssertEqual(result.filesErased, 4)
            let erased = try await IdentityDocumentFile.query(on: app.db).filter(\.$erasedAt != nil).count()
            XCTAssertEqual(erased, 4)
            let decided = try await DigitalCardApplication.query(on: app.db).filter(\.$filesErasedAt != nil).count()
            XCTAssertEqual(decided, 2)
            let remaining = try await storedSealedFiles(app)
            XCTAssertEqual(remaining.count, 3, "the returned application's three files are still under review")
        }
    }

    /// A rejection erases the person's data and, with it, their emails at once (as other erasures do),
    /// not 30 days later: the receipt already sent is emptied and its mail-drop copy removed; the rejection
    /// email itself is the last use of the address, emptied as soon as it is delivered.
    func testARejectionErasesTheApplicantsEmailsAtOnce() async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_795_000_000))
        try await withTestApp(clock: clock) { app in
            let rejected = try await submitted(app, idNumber: nationalID(34))
            let kept = try await submitted(app, idNumber: nationalID(35))
            try await app.outboxWorker.deliverDue()
            let dropFiles = { (try? FileManager.default.contentsOfDirectory(atPath: app.settings.mailDropDirectory))?.filter { $0.hasSuffix(".eml") } ?? [] }
            XCTAssertEqual(dropFiles().count, 2, "both receipts delivered to the mail drop")
            let partition = PatronMail.partitionKey(try rejected.patron.requireID())
            let receiptRow = try await OutboxMessage.query(on: app.db).filter(\.$partitionKey == partition).first()
            let receipt = try sentMail(try XCTUnwrap(receiptRow), app)
            XCTAssertEqual(receipt.to, "wang@example.org")

            let reviewer = try await signedInStaff(app, role: "reviewer", library: "NLPI", email: "reviewer@nlpi.example")
            try await reviewer.get("/staff/digital-cards/\(rejected.id!.uuidString)")
            let decided = try await reviewer.post("/staff/digital-cards/\(rejected.id!.uuidString)",
                                                  form: ["decision": "reject", "reason": "證件影像與填寫資料不符"])
            XCTAssertEqual(decided.status, .seeOther)

            XCTAssertFalse(dropFiles().contains(FileMailer.fileName(for: receipt)), "the receipt's mail-drop copy is gone at once")
            let naming = { try await OutboxMessage.query(on: app.db).filter(\.$partitionKey == partition).all()
                .filter { $0.payload.contains("wang@example.org") || $0.payload.contains("王小明") } }
            let beforeDelivery = try await naming()
            XCTAssertEqual(beforeDelivery.count, 1, "only the rejection email still names the person")
            let all = try await mails(app)
            let rejection = try XCTUnwrap(all.first { $0.subject == "數位借閱證申請未核准" })
            XCTAssertTrue(rejection.body.contains("證件影像與填寫資料不符"))
            let emptiedReceipt = try await mails(app).filter { $0.messageID == receipt.messageID }
            XCTAssertEqual(emptiedReceipt, [PatronMail.emptied(receipt)], "the receipt keeps its Message-ID and date only")

            try await app.outboxWorker.deliverDue()
            let afterDelivery = try await naming()
            XCTAssertEqual(afterDelivery.count, 0, "the delivered rejection is emptied at once")
            // The other applicant's receipt is untouched.
            let other = try await OutboxMessage.query(on: app.db)
                .filter(\.$partitionKey == PatronMail.partitionKey(try kept.patron.requireID())).all()
            XCTAssertEqual(try other.map { try sentMail($0, app).to }, ["wang@example.org"])
            let audit = try await AuditEvent.query(on: app.db).filter(\.$action == "digital_card.rejected").first()
            XCTAssertEqual(audit?.details?.contains(#""messagesErased":"1""#), true)
        }
    }

    // MARK: Files in the database

    /// With files kept in the database (`ONECARD_FILE_STORAGE=database`, the default with PostgreSQL) each
    /// document is a sealed row of its own, nothing is written under `uploads/`, the reviewer is served the
    /// file from the row, and the retention rules delete the rows as they deleted the files.
    func testWithFilesInTheDatabaseEachDocumentIsASealedRowServedToTheReviewerAndErasedByTheSameRules() async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_795_000_000))
        try await withTestApp(clock: clock, adjust: { $0.fileStorage = .database }) { app in
            let approved = try await submitted(app, idNumber: nationalID(41))
            let rejected = try await submitted(app, idNumber: nationalID(42))
            let files = try await IdentityDocumentFile.query(on: app.db).all()
            XCTAssertEqual(files.count, 4)
            let rows = try await SealedFile.query(on: app.db).all()
            XCTAssertEqual(Set(rows.map { $0.id! }), Set(files.map { $0.id! }), "one row per document, under the document's id")
            for row in rows {
                XCTAssertFalse(row.sealed.starts(with: [0xFF, 0xD8]), "sealed, not the picture")
                XCTAssertNil(Array(row.sealed).firstRange(of: Array("Exif".utf8)))
                XCTAssertEqual(row.keyID, app.vault.keyRing.currentKeyID)
                XCTAssertEqual(app.vault.keyID(of: row.sealed), row.keyID)
                XCTAssertEqual(row.byteCount, row.sealed.count)
            }
            XCTAssertEqual(filesUnderUploads(app), [:], "nothing is written under uploads/")

            let reviewer = try await signedInStaff(app, role: "reviewer", library: "NLPI", email: "reviewer@nlpi.example")
            let front = try XCTUnwrap(files.first { $0.slot == "id_front" && $0.$application.id == approved.id })
            let page = try await reviewer.get("/staff/digital-cards/\(approved.id!.uuidString)")
            let filePath = "/staff/digital-cards/\(approved.id!.uuidString)/files/\(front.id!.uuidString)"
            XCTAssertTrue(page.text.contains(filePath))
            let picture = try await reviewer.get(filePath)
            XCTAssertEqual(picture.status, .ok)
            let served = Data(buffer: picture.body)
            XCTAssertTrue(served.starts(with: [0xFF, 0xD8]), "the reviewer gets the picture back")
            XCTAssertNil(Array(served).firstRange(of: Array("Exif".utf8)), "as cleaned on upload (the front was GPS-tagged)")
            XCTAssertEqual(served.count, front.byteCount)

            // The rejected person's files go at the next housekeeping; the approved ones 30 days after the decision.
            try await reviewer.post("/staff/digital-cards/\(approved.id!.uuidString)", form: ["decision": "approve"])
            try await reviewer.get("/staff/digital-cards/\(rejected.id!.uuidString)")
            try await reviewer.post("/staff/digital-cards/\(rejected.id!.uuidString)", form: ["decision": "reject", "reason": "證件影像與填寫資料不符"])
            let first = try await OutboxWorkerLifecycle.digitalCards(app).housekeeping()
            XCTAssertEqual(first.filesErased, 2)
            let kept = try await SealedFile.query(on: app.db).all().map { $0.id! }
            XCTAssertEqual(Set(kept), Set(files.filter { $0.$application.id == approved.id }.map { $0.id! }))
            clock.advance(by: 86400 * 31)
            let later = try await OutboxWorkerLifecycle.digitalCards(app).housekeeping()
            XCTAssertEqual(later.filesErased, 2)
            let left = try await SealedFile.query(on: app.db).count()
            XCTAssertEqual(left, 0, "erased files leave no row behind")
            let erased = try await IdentityDocumentFile.query(on: app.db).filter(\.$erasedAt != nil).count()
            XCTAssertEqual(erased, 4, "the file rows stay, marked erased, as evidence of what was seen")
            XCTAssertEqual(filesUnderUploads(app), [:])
        }
    }

    func testTheDeskUpgradesADigitalCardAfterCheckingTheID() async throws {
        try await withTestApp { app in
            let application = try await submitted(app)
            let reviewer = try await signedInStaff(app, role: "reviewer", library: "NLPI", email: "reviewer@nlpi.example")
            try await reviewer.get("/staff/digital-cards/\(application.id!.uuidString)")
            try await reviewer.post("/staff/digital-cards/\(application.id!.uuidString)", form: ["decision": "approve"])

            let desk = try await signedInStaff(app, role: "desk", library: "NLPI", email: "desk@nlpi.example")
            let page = try await desk.get("/staff/applications/\(application.patron.id!.uuidString)")
            XCTAssertTrue(page.text.contains("數位借閱證：僅限使用電子資源"))
            XCTAssertTrue(page.text.contains("升級為實體借閱證"))
            let unchecked = try await desk.post("/staff/applications/\(application.patron.id!.uuidString)/upgrade", form: [:])
            XCTAssertEqual(unchecked.status, .unprocessableEntity)
            let upgraded = try await desk.post("/staff/applications/\(application.patron.id!.uuidString)/upgrade", form: ["documentChecked": "yes"])
            XCTAssertEqual(upgraded.status, .seeOther)
            let patron = try await XCTUnwrapAsync(await Patron.find(application.patron.id, on: app.db))
            XCTAssertEqual(patron.cardKind, .physical)
        }
    }
}
