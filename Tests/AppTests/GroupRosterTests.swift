import Fluent
import Foundation
import OneCardDomain
import XCTVapor
@testable import App

/// The contact's reader data file (讀者資料檔): every row checked at once, a file with errors returned
/// with each error by row and column and an annotated copy, nothing of it kept; a clean file queued as a
/// batch under its own letter; people already registered reported and left out of a clean file.
final class GroupRosterTests: XCTestCase {
    func testAFileWithErrorsIsReturnedWithEveryErrorByRowAndColumnAndNothingIsImported() async throws {
        try await withTestApp { app in
            let organization = try await GroupFixtures.approved(app)
            // openpyxl, as many schools' scripts write it, with a title row above the header (so data starts on row 3).
            let rows: [[Any]] = [
                GroupFiles.row(1),
                GroupFiles.row(2, id: "A123456788"),                       // row 4: checksum
                GroupFiles.row(3, id: "FD12345676"),                       // row 5: a resident certificate number
                [4, nationalID(4, letter: "B"), "王家長", "男", "date:1980-01-01", "家長", "parent@example.org", "", "", ""], // row 6: role
                [5, nationalID(5, letter: "B"), "林小華", "女", "date:2012-05-03", "學生", "", "", "", ""],            // row 7: email
                GroupFiles.row(6),
            ]
            let file = try await GroupFiles.roster(rows, writer: "openpyxl", title: "臺中市立示範國民小學 讀者資料")
            let response = try await GroupFixtures.upload(organization.contact, file)
            XCTAssertEqual(response.status, .seeOther)
            let location = try XCTUnwrap(response.headers.first(name: .location))
            XCTAssertTrue(location.hasPrefix("/group-application/contact/uploads/"))
            let page = try await organization.contact.get(location)
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.text.contains("檔案有 4 個錯誤（共 6 筆資料），已退回重填。"))
            XCTAssertTrue(page.text.contains("本次上傳的資料都沒有辦理"))
            for (row, column, message) in [(4, "身分證字號", "身分證字號檢查碼錯誤"), (5, "身分證字號", "外籍人士無法集體辦理數位借閱證"),
                                           (6, "身分別", "不含親友"), (7, "電子信箱", "請填寫電子信箱")] {
                let pattern = #"<td class="nowrap">\#(row)</td><td>\#(column)</td><td>[^<]*\#(message)"#
                XCTAssertNotNil(page.text.range(of: pattern, options: .regularExpression), "row \(row) \(column)")
            }
            let batches = try await GroupBatch.query(on: app.db).count()
            XCTAssertEqual(batches, 0)
            let staged = try await GroupBatchRow.query(on: app.db).count()
            XCTAssertEqual(staged, 0)
            let patrons = try await Patron.query(on: app.db).count()
            XCTAssertEqual(patrons, 0)
            let awaited1 = try await GroupRosterUpload.query(on: app.db).first()
            let upload = try XCTUnwrap(awaited1)
            XCTAssertEqual(upload.outcome, .returned)
            XCTAssertEqual(upload.errorCount, 4)
            XCTAssertFalse(upload.errors?.contains("A123456788") ?? true, "errors name rows and columns, never the values")

            // The contact's own file back, annotated: red cells and a 錯誤說明 column, as openpyxl reads it.
            XCTAssertTrue(page.text.contains("下載標示錯誤的檔案"))
            let annotated = try await organization.contact.get(location + "/returned.xlsx")
            XCTAssertEqual(annotated.status, .ok)
            XCTAssertEqual(annotated.headers["Content-Security-Policy"], ["default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"])
            let sheets = try await GroupFiles.readXLSX(Data(buffer: annotated.body))
            let data = try XCTUnwrap(sheets["讀者資料"])
            XCTAssertEqual(data["K2"]?["v"] as? String, "錯誤說明")
            XCTAssertEqual(data["B4"]?["v"] as? String, "A123456788")
            XCTAssertEqual(data["B4"]?["fill"] as? String, "FFFFC7CE")
            XCTAssertEqual(data["F6"]?["fill"] as? String, "FFFFC7CE")
            XCTAssertTrue((data["K4"]?["v"] as? String)?.contains("身分證字號檢查碼錯誤") ?? false)
            XCTAssertNil(data["K3"], "a valid row has no note")
            XCTAssertNotNil(sheets["錯誤清單"])
            let stranger = try await TestBrowser(app).get(location + "/returned.xlsx")
            XCTAssertEqual(stranger.status, .seeOther, "only the signed-in contact gets the file back")
            let downloads = try await AuditEvent.query(on: app.db).filter(\.$action == "group_roster.returned_downloaded").count()
            XCTAssertEqual(downloads, 1)

            // Fixed (now by xlsxwriter, with dates as date cells) under the same letter: a batch.
            let fixed = try await GroupFiles.roster([GroupFiles.row(1), GroupFiles.row(2), GroupFiles.row(6)], writer: "xlsxwriter")
            let accepted = try await GroupFixtures.upload(organization.contact, fixed)
            XCTAssertEqual(accepted.status, .seeOther)
            XCTAssertTrue(accepted.headers.first(name: .location)?.hasPrefix("/group-application/contact/batches/") ?? false)
            let awaited2 = try await GroupBatch.query(on: app.db).first()
            let batch = try XCTUnwrap(awaited2)
            XCTAssertEqual(batch.rowCount, 3)
            XCTAssertEqual(batch.status, .queued)
            let earlier = try await GroupRosterUpload.find(upload.id, on: app.db)
            XCTAssertEqual(earlier?.hasAnnotatedFile, false, "the returned copy is removed once a file is accepted")
            let kept = try await app.sealedFiles.exists(id: upload.id!)
            XCTAssertFalse(kept)
        }
    }

    func testAReturnedFileIsKeptForThirtyDaysThenRemoved() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let organization = try await GroupFixtures.approved(app)
            let response = try await GroupFixtures.upload(organization.contact, try await GroupFiles.roster([GroupFiles.row(1, id: "B123")]))
            let location = try XCTUnwrap(response.headers.first(name: .location))
            let intake = GroupServices.intake(app, now: clock.now)
            let kept = try await intake.removeStaleReturnedFiles()
            XCTAssertEqual(kept, 0)
            clock.advance(by: 30 * 86400 + 1)
            let removed = try await GroupServices.intake(app, now: clock.now).removeStaleReturnedFiles()
            XCTAssertEqual(removed, 1)
            let contact = try await GroupFixtures.signInAgain(app)
            let gone = try await contact.get(location + "/returned.xlsx")
            XCTAssertEqual(gone.status, .notFound)
            let upload = try await GroupRosterUpload.query(on: app.db).first()
            XCTAssertEqual(upload?.hasAnnotatedFile, false)
            let stillThere = try await app.sealedFiles.exists(id: upload!.id!)
            XCTAssertFalse(stillThere)
            XCTAssertEqual(upload?.errorCount, 1, "the list of errors (no cell values) stays")
        }
    }

    func testWithFilesInTheDatabaseAReturnedFileIsARowUntilItsThirtyDaysAreUp() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock, adjust: { $0.fileStorage = .database }) { app in
            let organization = try await GroupFixtures.approved(app)
            let response = try await GroupFixtures.upload(organization.contact, try await GroupFiles.roster([GroupFiles.row(1, id: "B123")]))
            let location = try XCTUnwrap(response.headers.first(name: .location))
            let upload = try await XCTUnwrapAsync(await GroupRosterUpload.query(on: app.db).first())
            XCTAssertEqual(upload.hasAnnotatedFile, true)
            let row = try await XCTUnwrapAsync(await SealedFile.find(upload.id, on: app.db))
            XCTAssertNil(row.sealed.range(of: Data("xl/worksheets".utf8)), "sealed, not the spreadsheet")
            XCTAssertEqual(filesUnderUploads(app), [:], "nothing is written under uploads/")
            let annotated = try await organization.contact.get(location + "/returned.xlsx")
            XCTAssertEqual(annotated.status, .ok)
            let sheets = try await GroupFiles.readXLSX(Data(buffer: annotated.body))
            XCTAssertEqual(sheets["讀者資料"]?["B2"]?["v"] as? String, "B123")

            clock.advance(by: 30 * 86400 + 1)
            let removed = try await GroupServices.intake(app, now: clock.now).removeStaleReturnedFiles()
            XCTAssertEqual(removed, 1)
            let gone = try await SealedFile.find(upload.id, on: app.db)
            XCTAssertNil(gone, "the row goes with the file's time")
            let after = try await GroupRosterUpload.find(upload.id, on: app.db)
            XCTAssertEqual(after?.hasAnnotatedFile, false)
        }
    }

    func testOdsAndCsvFilesAreCheckedTheSameWay() async throws {
        try await withTestApp { app in
            let organization = try await GroupFixtures.approved(app)
            for (writer, name) in [("odfpy", "讀者資料.ods"), ("csv", "讀者資料.csv")] {
                let file = try await GroupFiles.roster([GroupFiles.row(1), GroupFiles.row(2, id: "B12345678")], writer: writer)
                let response = try await GroupFixtures.upload(organization.contact, file, filename: name)
                let page = try await organization.contact.get(try XCTUnwrap(response.headers.first(name: .location)))
                XCTAssertTrue(page.text.contains("身分證字號應為 10 碼（目前為 9 碼）"), writer)
                XCTAssertTrue(page.text.contains(#"<td class="nowrap">3</td><td>身分證字號</td>"#), writer)
            }
            let english = try await organization.contact.get("/group-application/contact/home?lang=en")
            XCTAssertEqual(english.status, .ok)
            let awaited3 = try await GroupRosterUpload.query(on: app.db).sort(\.$uploadedAt, .descending).first()
            let last = try XCTUnwrap(awaited3)
            let page = try await organization.contact.get("/group-application/contact/uploads/\(last.id!.uuidString)")
            XCTAssertTrue(page.text.contains("An ID number has 10 characters."), "English messages by code")
            XCTAssertTrue(page.text.contains("The file has 1 errors"))
            let ods = try await GroupFiles.roster([GroupFiles.row(1), GroupFiles.row(2)], writer: "odfpy")
            let accepted = try await GroupFixtures.upload(organization.contact, ods, letter: "示小字第3號", filename: "ok.ods")
            XCTAssertTrue(accepted.headers.first(name: .location)?.contains("/batches/") ?? false)
        }
    }

    func testPeopleWhoAlreadyHoldACardAreReportedAndLeftOut() async throws {
        try await withTestApp { app in
            let holder = try await submitApplication(app, idNumber: nationalID(2, letter: "B"))
            _ = try await activateCard(app, holder)
            let organization = try await GroupFixtures.approved(app)
            let file = try await GroupFiles.roster([GroupFiles.row(1), GroupFiles.row(2, name: "王小明"), GroupFiles.row(3)])
            let response = try await GroupFixtures.upload(organization.contact, file)
            let location = try XCTUnwrap(response.headers.first(name: .location))
            XCTAssertTrue(location.hasSuffix("?received=1"))
            let page = try await organization.contact.get(location)
            XCTAssertTrue(page.text.contains("讀者資料檔檢查無誤，已排入審核"))
            XCTAssertTrue(page.text.contains("略過的人員"))
            XCTAssertNotNil(page.text.range(of: #"<td class="nowrap">3</td><td>王小明</td><td>未經本檔案辦理：已在一證通聯盟登記"#))
            let awaited4 = try await GroupBatch.query(on: app.db).first()
            let batch = try XCTUnwrap(awaited4)
            XCTAssertEqual(batch.rowCount, 2)
            let staged = try await GroupBatchRow.query(on: app.db).all()
            XCTAssertEqual(staged.map(\.rowNumber).sorted(), [2, 4])
            XCTAssertTrue(staged.allSatisfy { $0.idNumberSealed?.hasPrefix("ocv1:") ?? false }, "ID numbers staged sealed")
            let awaited5 = try await outboxMails(app).last
            let mail = try XCTUnwrap(awaited5)
            XCTAssertTrue(mail.body.contains("共 2 人；另有 1 人已持有借閱證"))

            // The same people again while that batch waits: they are in a batch already.
            let again = try await GroupFiles.roster([GroupFiles.row(1), GroupFiles.row(7)])
            let second = try await GroupFixtures.upload(organization.contact, again, letter: "中市示小字第1150000003號")
            let secondPage = try await organization.contact.get(try XCTUnwrap(second.headers.first(name: .location)))
            XCTAssertNotNil(secondPage.text.range(of: #"<td>學生1</td><td>已列在另一批辦理中的申請"#))
            let batches = try await GroupBatch.query(on: app.db).sort(\.$receivedAt).all()
            XCTAssertEqual(batches.map(\.rowCount), [2, 1])

            // A file of nobody but card holders makes no batch: there is nobody to register (and its letter is used up).
            let nobody = try await GroupFiles.roster([GroupFiles.row(2)])
            let returned = try await GroupFixtures.upload(organization.contact, nobody, letter: "中市示小字第1150000004號")
            let returnedPage = try await organization.contact.get(try XCTUnwrap(returned.headers.first(name: .location)))
            XCTAssertTrue(returnedPage.text.contains("沒有需要辦理的人員"))
            XCTAssertFalse(returnedPage.text.contains("下載標示錯誤的檔案"))
            XCTAssertTrue(returnedPage.text.contains("這個公文文號已用於這次上傳，不能再用"))
        }
    }

    func testEveryBatchNeedsItsOwnLetterAndTheFormNamesEachProblem() async throws {
        try await withTestApp { app in
            let organization = try await GroupFixtures.approved(app)
            let file = try await GroupFiles.roster([GroupFiles.row(1)])
            let first = try await GroupFixtures.upload(organization.contact, file, letter: "示小字第10號")
            XCTAssertEqual(first.status, .seeOther)
            let reused = try await GroupFixtures.upload(organization.contact, try await GroupFiles.roster([GroupFiles.row(2)]), letter: "示小字第10號")
            XCTAssertEqual(reused.status, .unprocessableEntity)
            XCTAssertTrue(reused.text.contains("這個公文文號已用於本單位的另一批申請"))
            XCTAssertTrue(reused.text.contains(#"value="示小字第10號""#))
            let batches = try await GroupBatch.query(on: app.db).count()
            XCTAssertEqual(batches, 1)

            try await organization.contact.get("/group-application/contact/batches/new")
            let empty = try await organization.contact.postMultipart("/group-application/contact/batches/new",
                                                                    fields: ["letterNumber": "", "letterDate": "2026/13/01"],
                                                                    files: ["file": (filename: "", type: "application/octet-stream", data: [])])
            XCTAssertEqual(empty.status, .unprocessableEntity)
            for message in ["請填寫公文文號。", "發文日期格式不正確", "請選擇讀者資料檔。"] {
                XCTAssertTrue(empty.text.contains(message), message)
            }
            let noCSRF = try await organization.contact.postMultipart("/group-application/contact/batches/new",
                                                                     fields: ["letterNumber": "x", "letterDate": "2026-11-01", "_csrf": "forged"],
                                                                     files: ["file": (filename: "a.xlsx", type: "application/octet-stream", data: [UInt8](file))])
            XCTAssertEqual(noCSRF.status, .forbidden, "uploads carry the CSRF token like every form")
        }
    }

    func testAFileThatIsNoSpreadsheetIsRefusedWithAClearMessage() async throws {
        try await withTestApp { app in
            let organization = try await GroupFixtures.approved(app)
            let response = try await GroupFixtures.upload(organization.contact, try await GroupFiles.document("png"), filename: "roster.xlsx")
            XCTAssertEqual(response.status, .unprocessableEntity)
            XCTAssertTrue(response.text.contains("讀者資料檔無法讀取：這不是試算表檔案"))
            XCTAssertTrue(response.text.contains(#"aria-invalid="true" aria-describedby="file-hint file-error""#))
            let awaited6 = try await GroupRosterUpload.query(on: app.db).first()
            let upload = try XCTUnwrap(awaited6)
            XCTAssertEqual(upload.outcome, .unreadable)
            XCTAssertEqual(upload.unreadableCode, "not_spreadsheet")
            organization.contact.acceptLanguage = "en"
            let english = try await GroupFixtures.upload(organization.contact, Data("PK\u{3}\u{4}broken".utf8), letter: "y", filename: "roster.xlsx")
            XCTAssertTrue(english.text.contains("The reader data file cannot be read:"))
        }
    }

    func testTheQueueIsOrderedByDueDateInTheOfficeCalendarAndMarksOverdueBatches() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let first = try await GroupFixtures.approved(app, email: "a@school.example.edu.tw", name: "甲國小")
            try await GroupFixtures.upload(first.contact, try await GroupFiles.roster([GroupFiles.row(1)]))
            clock.advance(by: 2 * 86400)
            // Two days on, the first reviewer's session has ended: a colleague signs in.
            let colleague = try await signedInStaff(app, role: "reviewer", library: "NLPI", email: "colleague@nlpi.example")
            let second = try await GroupFixtures.approved(app, email: "b@school.example.edu.tw", reviewer: colleague, name: "乙國中")
            try await GroupFixtures.upload(second.contact, try await GroupFiles.roster([GroupFiles.row(2)]))
            let batches = try await GroupBatch.query(on: app.db).sort(\.$receivedAt).all()
            // Received Wed 2026-11-18: +7 and +10 working days; received Fri 11-20: 12-01 and 12-04.
            XCTAssertEqual(batches.map(\.targetOn), ["2026-11-27", "2026-12-01"])
            XCTAssertEqual(batches.map(\.dueOn), ["2026-12-02", "2026-12-04"])
            let secondPage = try await second.contact.get("/group-application/contact/batches/\(batches[1].id!.uuidString)")
            XCTAssertTrue(secondPage.text.contains("<dt>目前排隊順位</dt><dd>2</dd>"), "in order of arrival")
            let firstContact = try await GroupFixtures.signInAgain(app, email: "a@school.example.edu.tw")
            let firstPage = try await firstContact.get("/group-application/contact/batches/\(batches[0].id!.uuidString)")
            XCTAssertTrue(firstPage.text.contains("<dt>目前排隊順位</dt><dd>1</dd>"))

            let queue = try await colleague.get("/staff/group")
            let a = try XCTUnwrap(queue.text.range(of: "甲國小"))
            let b = try XCTUnwrap(queue.text.range(of: "乙國中"))
            XCTAssertLessThan(a.lowerBound, b.lowerBound, "earliest due first")
            XCTAssertFalse(queue.text.contains("overdue-mark"))
            clock.advance(by: 13 * 86400) // 2026-12-03
            let nextMorning = try await signedInStaff(app, role: "reviewer", library: "NLPI", email: "morning@nlpi.example")
            let later = try await nextMorning.get("/staff/group")
            XCTAssertEqual(later.text.components(separatedBy: "<strong class=\"overdue-mark\">已逾期</strong>").count - 1, 1,
                           "only the batch due 12-02 is overdue on 12-03")
        }
    }
}
