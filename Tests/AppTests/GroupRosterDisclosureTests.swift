import Fluent
import Foundation
import OneCardDomain
import XCTVapor
@testable import App

/// The group upload is no ID-number oracle (issue #12 item 2): a returned file tells only what is in the
/// file; a clean file is looked up and uses up its letter whatever comes of it; someone outside the
/// organization is one generic fact; uploads are limited per organization.
final class GroupRosterDisclosureTests: XCTestCase {
    func testAReturnedFileTellsOnlyItsOwnErrorsAndNothingOfWhoIsRegistered() async throws {
        try await withTestApp { app in
            // An unrelated reader with a card, and a pending application: neither has anything to do with the school.
            let holder = try await submitApplication(app, idNumber: nationalID(2, letter: "B"))
            _ = try await activateCard(app, holder)
            _ = try await submitApplication(app, idNumber: nationalID(3, letter: "B"))
            let organization = try await GroupFixtures.approved(app)
            let file = try await GroupFiles.roster([GroupFiles.row(1), GroupFiles.row(2, name: "王小明"), GroupFiles.row(3, name: "王小明"),
                                              GroupFiles.row(4, id: "A123456788")])
            let response = try await GroupFixtures.upload(organization.contact, file)
            XCTAssertEqual(response.status, .seeOther)
            let location = try XCTUnwrap(response.headers.first(name: .location))
            XCTAssertTrue(location.hasPrefix("/group-application/contact/uploads/"))
            let page = try await organization.contact.get(location)
            XCTAssertEqual(page.status, .ok)
            XCTAssertTrue(page.text.contains("檔案有 1 個錯誤（共 4 筆資料），已退回重填。"))
            XCTAssertTrue(page.text.contains(#"<td class="nowrap">5</td><td>身分證字號</td>"#))
            for told in ["略過的人員", "已在一證通聯盟登記", "已持有一證通聯盟借閱證", "已列在另一批", #"class="left-out""#] {
                XCTAssertFalse(page.text.contains(told), "a returned file says nothing of the consortium: \(told)")
            }
            let english = try await organization.contact.get(location + "?lang=en")
            XCTAssertFalse(english.text.contains("People left out"))
            let upload = try await GroupRosterUpload.query(on: app.db).first()
            XCTAssertEqual(upload?.outcome, .returned)
            XCTAssertNil(upload?.leftOut, "nothing of the consortium is kept with it either")

            // The annotated copy marks row 5 only: rows 3 and 4 (a card holder, an applicant) are as the contact wrote them.
            let annotated = try await organization.contact.get(location + "/returned.xlsx")
            XCTAssertEqual(annotated.status, .ok)
            let sheets = try await GroupFiles.readXLSX(Data(buffer: annotated.body))
            let data = try XCTUnwrap(sheets["讀者資料"])
            XCTAssertNotNil(data["K5"])
            for row in [3, 4] {
                XCTAssertNil(data["K\(row)"], "row \(row) has no note")
                XCTAssertNotEqual(data["B\(row)"]?["fill"] as? String, "FFFFC7CE", "row \(row) is not marked")
            }
            let errors = try XCTUnwrap(sheets["錯誤清單"])
            XCTAssertFalse(errors.values.contains { ($0["v"] as? String)?.contains("登記") ?? false })
            XCTAssertFalse(errors.values.contains { ($0["v"] as? String)?.contains("已持有") ?? false })

            // Neither is the letter used up: the fixed file is accepted under it.
            let fixed = try await GroupFiles.roster([GroupFiles.row(1), GroupFiles.row(4)])
            let accepted = try await GroupFixtures.upload(organization.contact, fixed)
            XCTAssertTrue(accepted.headers.first(name: .location)?.contains("/batches/") ?? false)
        }
    }

    func testACleanFileOfOnlyRegisteredPeopleUsesUpItsLetter() async throws {
        try await withTestApp { app in
            let holder = try await submitApplication(app, idNumber: nationalID(2, letter: "B"))
            _ = try await activateCard(app, holder)
            let organization = try await GroupFixtures.approved(app)
            let first = try await GroupFixtures.upload(organization.contact, try await GroupFiles.roster([GroupFiles.row(2, name: "王小明")]),
                                                       letter: "示小字第20號")
            XCTAssertEqual(first.status, .seeOther)
            let page = try await organization.contact.get(try XCTUnwrap(first.headers.first(name: .location)))
            XCTAssertTrue(page.text.contains("沒有需要辦理的人員"))
            XCTAssertNotNil(page.text.range(of: #"<td class="nowrap">2</td><td>王小明</td><td>未經本檔案辦理：已在一證通聯盟登記"#))
            let recorded = try await GroupRosterUpload.query(on: app.db).all()
            XCTAssertEqual(recorded.map(\.outcome), [.nobodyToRegister])

            // The same letter cannot ask again, whatever the file.
            let again = try await GroupFixtures.upload(organization.contact, try await GroupFiles.roster([GroupFiles.row(2, name: "王小明")]),
                                                       letter: "示小字第20號")
            XCTAssertEqual(again.status, .unprocessableEntity)
            XCTAssertTrue(again.text.contains("這個公文文號已用於本單位的另一批申請"))
            let other = try await GroupFixtures.upload(organization.contact, try await GroupFiles.roster([GroupFiles.row(5)]), letter: "示小字第20號")
            XCTAssertEqual(other.status, .unprocessableEntity)
            let uploads = try await GroupRosterUpload.query(on: app.db).count()
            XCTAssertEqual(uploads, 1)
            let batches = try await GroupBatch.query(on: app.db).count()
            XCTAssertEqual(batches, 0)

            // The database keeps it so: a second row of that letter cannot be written beside it.
            let duplicate = GroupRosterUpload()
            duplicate.id = UUID()
            duplicate.$application.id = try organization.record.requireID()
            duplicate.outcome = .accepted
            duplicate.uploadedAt = Date()
            duplicate.letterNumber = "示小字第20號"
            duplicate.letterDate = "2026-11-16"
            duplicate.rowCount = 1
            duplicate.errorCount = 0
            duplicate.hasAnnotatedFile = false
            do {
                try await duplicate.create(on: app.db)
                XCTFail("one upload per letter among those that use it up")
            } catch let error as any DatabaseError where error.isConstraintFailure {}
        }
    }

    func testOnlyTheOrganizationsOwnBatchesAreNamedAndAnyoneElseIsOneGenericFact() async throws {
        try await withTestApp { app in
            let holder = try await submitApplication(app, idNumber: nationalID(3, letter: "B"))
            _ = try await activateCard(app, holder)
            let reviewer = try await signedInStaff(app, role: "reviewer", library: "NLPI", email: "reviewer@nlpi.example")
            let other = try await GroupFixtures.approved(app, email: "other@school.example.edu.tw", reviewer: reviewer, name: "乙國中")
            try await GroupFixtures.upload(other.contact, try await GroupFiles.roster([GroupFiles.row(1), GroupFiles.row(2)]))
            let school = try await GroupFixtures.approved(app, reviewer: reviewer)
            try await GroupFixtures.upload(school.contact, try await GroupFiles.roster([GroupFiles.row(5), GroupFiles.row(6)]))

            // Row 2: in the other school's batch; row 3: the card holder, with their name and birth date;
            // row 4: in this school's own batch; row 5: new.
            let holderRow: [Any] = [3, nationalID(3, letter: "B"), "王小明", "男", "date:1990-05-03", "教職員", "teacher@school.example.edu.tw",
                                    "", "", ""]
            let file = try await GroupFiles.roster([GroupFiles.row(1), holderRow, GroupFiles.row(5), GroupFiles.row(7)])
            let response = try await GroupFixtures.upload(school.contact, file, letter: "中市示小字第1150000003號")
            let location = try XCTUnwrap(response.headers.first(name: .location))
            XCTAssertTrue(location.contains("/batches/"), location)
            let page = try await school.contact.get(location)
            let generic = "未經本檔案辦理：已在一證通聯盟登記。請讓本人使用已有的借閱證，或洽圖書館"
            for (row, name) in [(2, "學生1"), (3, "王小明")] {
                XCTAssertNotNil(page.text.range(of: #"<td class="nowrap">\#(row)</td><td>\#(name)</td><td>\#(generic)"#), "row \(row)")
            }
            XCTAssertNotNil(page.text.range(of: #"<td class="nowrap">4</td><td>學生5</td><td>已列在另一批辦理中的申請"#))
            XCTAssertEqual(page.text.components(separatedBy: "已列在另一批辦理中的申請").count - 1, 1,
                           "another organization's batch is not named as a batch")
            let batch = try await GroupBatch.query(on: app.db).filter(\.$letterNumber == "中市示小字第1150000003號").first()
            XCTAssertEqual(batch?.rowCount, 1)
            XCTAssertEqual(GroupBatchView.leftOutRows(try XCTUnwrap(batch)).map(\.code), ["already_registered", "already_registered", "already_in_batch"])
            let received = try await AuditEvent.query(on: app.db).filter(\.$action == "group_batch.received")
                .filter(\.$subjectID == batch!.requireID().uuidString).first()
            XCTAssertTrue(received?.details?.contains(#""detailsDiffer":"0""#) ?? false, received?.details ?? "")

            // The card holder's ID number under another name and birth date reads the same: the contact cannot
            // tell a right guess of the person from a number that merely exists. Staff see the difference in the audit entry.
            let guessed: [Any] = [1, nationalID(3, letter: "B"), "王大明", "男", "date:1985-01-02", "教職員", "guess@school.example.edu.tw",
                                  "", "", ""]
            let second = try await GroupFixtures.upload(school.contact, try await GroupFiles.roster([guessed, GroupFiles.row(8)]),
                                                        letter: "中市示小字第1150000004號")
            let secondPage = try await school.contact.get(try XCTUnwrap(second.headers.first(name: .location)))
            XCTAssertNotNil(secondPage.text.range(of: #"<td class="nowrap">2</td><td>王大明</td><td>\#(generic)</td>"#))
            let secondBatch = try await GroupBatch.query(on: app.db).filter(\.$letterNumber == "中市示小字第1150000004號").first()
            let guessedAudit = try await AuditEvent.query(on: app.db).filter(\.$action == "group_batch.received")
                .filter(\.$subjectID == secondBatch!.requireID().uuidString).first()
            XCTAssertTrue(guessedAudit?.details?.contains(#""detailsDiffer":"1""#) ?? false, guessedAudit?.details ?? "")
        }
    }

    func testTheEleventhUploadInAnHourIsRefusedAndNothingOfItIsKept() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let organization = try await GroupFixtures.approved(app)
            let file = try await GroupFiles.roster([GroupFiles.row(1, id: "A123456788")], writer: "csv")
            for attempt in 1...10 {
                let response = try await GroupFixtures.upload(organization.contact, file, filename: "讀者資料.csv")
                XCTAssertEqual(response.status, .seeOther, "upload \(attempt)")
            }
            let refused = try await GroupFixtures.upload(organization.contact, try await GroupFiles.roster([GroupFiles.row(1)], writer: "csv"),
                                                         filename: "讀者資料.csv")
            XCTAssertEqual(refused.status, .tooManyRequests)
            let retryAt = RateLimiter.windowEnd(clock.now, 3600)
            XCTAssertTrue(refused.text.contains("本單位上傳讀者資料檔的次數已達上限，請於 \(DisplayTime.minute(retryAt, in: .zhTW)) 後再上傳。"), refused.text)
            XCTAssertEqual(refused.headers.first(name: "Retry-After"), retryAt.rfc1123)
            XCTAssertTrue(refused.text.contains(#"value="中市示小字第1150000002號""#), "the form keeps what was typed")
            let uploads = try await GroupRosterUpload.query(on: app.db).count()
            XCTAssertEqual(uploads, 10, "the refused file is not read nor kept")
            let batches = try await GroupBatch.query(on: app.db).count()
            XCTAssertEqual(batches, 0)
            let limited = try await AuditEvent.query(on: app.db).filter(\.$action == "group_roster.rate_limited").all()
            XCTAssertEqual(limited.count, 1)
            XCTAssertTrue(limited.first?.details?.contains("uploads_per_hour") ?? false)

            // Another organization is not held back by this one.
            let reviewer = try await signedInStaff(app, role: "reviewer", library: "NLPI", email: "second@nlpi.example")
            let neighbour = try await GroupFixtures.approved(app, email: "other@school.example.edu.tw", reviewer: reviewer, name: "乙國中")
            let theirs = try await GroupFixtures.upload(neighbour.contact, file, filename: "讀者資料.csv")
            XCTAssertEqual(theirs.status, .seeOther)

            // The next hour the school may upload again.
            clock.advance(by: 3600)
            let contact = try await GroupFixtures.signInAgain(app)
            let later = try await GroupFixtures.upload(contact, try await GroupFiles.roster([GroupFiles.row(1)], writer: "csv"), filename: "讀者資料.csv")
            XCTAssertEqual(later.status, .seeOther)
            XCTAssertTrue(later.headers.first(name: .location)?.contains("/batches/") ?? false)
        }
    }

    func testUploadsAreLimitedPerDayAndRowsLookedUpPerDay() async throws {
        try await withTestApp { app in
            let record = try await GroupFixtures.submitted(app)
            // The start of a day's window, then ten uploads in each of its first three hours: the 31st is refused.
            let day = Date(timeIntervalSince1970: TimeInterval(RateLimiter.windowStart(Date(timeIntervalSince1970: 1_795_000_000), 86400)))
            for hour in 0..<3 {
                for _ in 0..<10 {
                    try await GroupRosterUploadLimit(database: app.db, now: day.addingTimeInterval(Double(hour) * 3600))
                        .admitUpload(of: record, ipAddress: nil)
                }
            }
            let fourthHour = GroupRosterUploadLimit(database: app.db, now: day.addingTimeInterval(3 * 3600))
            do {
                try await fourthHour.admitUpload(of: record, ipAddress: nil)
                XCTFail("30 uploads a day")
            } catch GroupApplicationError.uploadLimitReached(let retryAt) {
                XCTAssertEqual(retryAt, day.addingTimeInterval(86400))
            }
            try await fourthHour.admitRows(60_000, of: record, ipAddress: nil)
            do {
                try await fourthHour.admitRows(40_001, of: record, ipAddress: nil)
                XCTFail("100,000 rows a day are looked up at most")
            } catch GroupApplicationError.uploadLimitReached(let retryAt) {
                XCTAssertEqual(retryAt, day.addingTimeInterval(86400))
            }
            let limited = try await AuditEvent.query(on: app.db).filter(\.$action == "group_roster.rate_limited").all().compactMap(\.details)
            XCTAssertEqual(limited.filter { $0.contains("uploads_per_day") }.count, 1)
            XCTAssertEqual(limited.filter { $0.contains("rows_per_day") }.count, 1)
        }
    }
}
