import Fluent
import Foundation
import OneCardDomain
import SQLKit
import XCTVapor
@testable import App

/// An approved batch becoming digital cards: chunks that commit whole, a crash and a re-run that make
/// no duplicate, each holder's one-time link to set a password, the contact's summary.
final class GroupImportTests: XCTestCase {
    struct SimulatedCrash: Error {}

    /// An approved organization with one queued batch of `count` students (rows 2…count+1).
    func queuedBatch(_ app: Application, count: Int) async throws -> (ApprovedOrganization, GroupBatch) {
        let organization = try await GroupFixtures.approved(app)
        let file = try await GroupFiles.roster((1...count).map { GroupFiles.row($0) }, writer: "xlsxwriter")
        let response = try await GroupFixtures.upload(organization.contact, file)
        XCTAssertEqual(response.status, .seeOther)
        let awaited1 = try await GroupBatch.query(on: app.db).first()
        let batch = try XCTUnwrap(awaited1)
        XCTAssertEqual(batch.rowCount, count)
        return (organization, batch)
    }

    func reviewer(_ app: Application) async throws -> StaffMember {
        let awaited2 = try await StaffMember.query(on: app.db).filter(\.$email == "reviewer@nlpi.example").first()
        return try XCTUnwrap(awaited2)
    }

    func testALongBatchIsShownAHundredRowsAPageWithLinksToEveryPage() async throws {
        try await withTestApp { app in
            let (organization, batch) = try await queuedBatch(app, count: 150)
            let path = "/staff/group/batches/\(batch.id!.uuidString)"
            let first = try await organization.reviewer.get(path)
            XCTAssertTrue(first.text.contains("<td>學生1</td>") && first.text.contains("<td>學生100</td>"))
            XCTAssertFalse(first.text.contains("<td>學生101</td>"), "a hundred rows a page")
            XCTAssertTrue(first.text.contains(#"<span aria-current="page">1</span>"#))
            XCTAssertTrue(first.text.contains(#"<a href="\#(path)?page=2">2</a>"#))
            let second = try await organization.reviewer.get(path + "?page=2")
            XCTAssertTrue(second.text.contains("<td>學生101</td>") && second.text.contains("<td>學生150</td>"))
            XCTAssertFalse(second.text.contains("<td>學生100</td>"))
            XCTAssertTrue(second.text.contains(#"<span aria-current="page">2</span>"#))
            let beyond = try await organization.reviewer.get(path + "?page=9")
            XCTAssertTrue(beyond.text.contains(#"<span aria-current="page">2</span>"#), "a page past the end shows the last")
            let pages = try await AuditEvent.query(on: app.db).filter(\.$action == "group_batch.viewed").all().compactMap(\.details)
            XCTAssertEqual(pages, [#"{"page":"1"}"#, #"{"page":"2"}"#, #"{"page":"2"}"#], "each look is audited with its page")
        }
    }

    func testAnApprovedBatchBecomesDigitalCardsWhoseHoldersSetTheirOwnPasswordsAndSignIn() async throws {
        try await withTestApp(adjust: { $0.signInDelayUnit = 0.001 }) { app in
            let (organization, batch) = try await queuedBatch(app, count: 3)
            let batchPath = "/staff/group/batches/\(batch.id!.uuidString)"
            let review = try await organization.reviewer.get(batchPath)
            XCTAssertEqual(review.status, .ok)
            XCTAssertTrue(review.text.contains("學生1"))
            let first = nationalID(1, letter: "B")
            XCTAssertTrue(review.text.contains(String(first.prefix(3)) + "****" + String(first.suffix(3))), "ID numbers masked")
            XCTAssertFalse(review.text.contains(first), "never in full")
            let viewed = try await AuditEvent.query(on: app.db).filter(\.$action == "group_batch.viewed").count()
            XCTAssertEqual(viewed, 1)
            let approved = try await organization.reviewer.post(batchPath + "/decision", form: ["decision": "approve"])
            XCTAssertEqual(approved.status, .seeOther)

            let done = try await GroupBatch.find(batch.id, on: app.db)
            XCTAssertEqual(done?.status, .completed)
            XCTAssertEqual(done?.importedCount, 3)
            let nlpi = try await Library.require(code: "NLPI", on: app.db)
            let patrons = try await Patron.query(on: app.db).filter(\.$library.$id == nlpi.requireID()).sort(\.$cardNumber).all()
            XCTAssertEqual(patrons.count, 3)
            for patron in patrons {
                XCTAssertEqual(patron.cardKind, .digital)
                XCTAssertEqual(patron.status, .active)
                XCTAssertNil(patron.passwordHash, "no password until the holder sets one")
                let card = try XCTUnwrap(patron.cardNumber)
                XCTAssertTrue(card.hasPrefix(nlpi.cardPrefix))
                XCTAssertNoThrow(try CardNumber.parse(card).get())
                let sealed = try XCTUnwrap(patron.idNumberSealed)
                XCTAssertTrue(sealed.hasPrefix("ocv1:"))
                let id = try app.vault.open(sealed, context: CardApplicationService.idNumberContext)
                XCTAssertEqual(patron.idNumberIndex, app.vault.blindIndex(id, context: CardApplicationService.idNumberContext))
            }
            let statement = try await GroupDocument.query(on: app.db).filter(\.$kind == .consentStatement).first()
            let consents = try await ConsentRecord.query(on: app.db).filter(\.$channel == "group").with(\.$document).all()
            XCTAssertEqual(consents.count, 3)
            XCTAssertTrue(consents.allSatisfy { $0.document.code == "NLPI_GROUP_PRIVACY" && $0.evidenceDocumentID == statement?.id })
            let staged = try await GroupBatchRow.query(on: app.db).all()
            XCTAssertTrue(staged.allSatisfy { $0.status == .imported && $0.idNumberSealed == nil && $0.idNumberIndex == nil },
                          "the staged copy of each ID number is gone once the card holds it")
            XCTAssertTrue(staged.allSatisfy { $0.name == nil && $0.email == nil && $0.birthDate == nil && $0.mobile == nil },
                          "and so is every other personal field: an erased card leaves nothing in the batch")
            let issued = try await AuditEvent.query(on: app.db).filter(\.$action == "card.issued_by_group").count()
            XCTAssertEqual(issued, 3)

            let mails = try await outboxMails(app)
            let cardMails = mails.filter { $0.subject == "您的數位借閱證已辦理完成，請設定密碼" }
            XCTAssertEqual(Set(cardMails.map(\.to)), ["reader1@school.example.edu.tw", "reader2@school.example.edu.tw", "reader3@school.example.edu.tw"])
            let links = cardMails.compactMap { linkPath("/login/activate", in: $0.body) }
            XCTAssertEqual(Set(links).count, 3, "one link each")
            for mail in cardMails {
                XCTAssertTrue(mail.body.contains("不得轉借"))
                XCTAssertFalse(mail.body.localizedCaseInsensitiveContains("password:"))
            }
            let contactMail = try XCTUnwrap(mails.last { $0.to == "contact@school.example.edu.tw" })
            XCTAssertTrue(contactMail.subject.contains("數位借閱證辦理完成"))
            XCTAssertTrue(contactMail.body.contains("3 張數位借閱證"))

            // The contact follows the emailed link straight to the batch and downloads the summary.
            let contactLink = try XCTUnwrap(linkPath("/group-application/contact/sign-in", in: contactMail.body))
            let contact = TestBrowser(app)
            try await contact.get(contactLink)
            let landed = try await contact.post("/group-application/contact/sign-in", form: ["token": String(contactLink.split(separator: "=")[1])])
            XCTAssertEqual(landed.headers.first(name: .location), "/group-application/contact/batches/\(batch.id!.uuidString)")
            let batchPage = try await contact.get("/group-application/contact/batches/\(batch.id!.uuidString)")
            XCTAssertTrue(batchPage.text.contains("已完成"))
            let summary = try await contact.get("/group-application/contact/batches/\(batch.id!.uuidString)/summary.xlsx")
            XCTAssertEqual(summary.status, .ok)
            let workbook = try await GroupFiles.readXLSX(Data(buffer: summary.body))
            let sheet = try XCTUnwrap(workbook.values.first)
            let texts = sheet.values.compactMap { $0["v"] as? String }
            for patron in patrons {
                XCTAssertTrue(texts.contains(patron.cardNumber!), "card number as text")
                XCTAssertTrue(texts.contains(patron.name))
            }
            XCTAssertFalse(texts.contains(nationalID(1, letter: "B")), "no ID numbers in the summary")

            // A holder sets a password with the link, once, then signs in.
            let firstMail = try XCTUnwrap(cardMails.first { $0.to == "reader1@school.example.edu.tw" })
            let path = try XCTUnwrap(linkPath("/login/activate", in: firstMail.body))
            let token = String(path.split(separator: "=")[1])
            let holder = TestBrowser(app)
            let form = try await holder.get(path)
            XCTAssertEqual(form.status, .ok)
            let patron = try XCTUnwrap(patrons.first { $0.email == "reader1@school.example.edu.tw" })
            XCTAssertTrue(form.text.contains(patron.cardNumber!))
            XCTAssertTrue(form.text.contains("數位借閱證限本人使用"))
            let weak = try await holder.post("/login/activate", form: ["token": token, "password": "12345678", "passwordConfirmation": "12345678"])
            XCTAssertEqual(weak.status, .unprocessableEntity)
            let set = try await holder.post("/login/activate", form: ["token": token, "password": "maple cloud river 7", "passwordConfirmation": "maple cloud river 7"])
            XCTAssertEqual(set.headers.first(name: .location), "/login?notice=card_activated")
            let used = try await TestBrowser(app).get(path)
            XCTAssertEqual(used.status, .gone)
            let login = try await holder.get("/login?notice=card_activated")
            XCTAssertTrue(login.text.contains("數位借閱證已開通"))
            let signedIn = try await holder.post("/login", form: ["identifier": patron.cardNumber!, "password": "maple cloud river 7"])
            XCTAssertEqual(signedIn.status, .seeOther)
            XCTAssertEqual(signedIn.headers.first(name: .location), "/account/home")
            let withID = TestBrowser(app)
            try await withID.get("/login")
            let byID = try await withID.post("/login", form: ["identifier": nationalID(1, letter: "B"), "password": "maple cloud river 7"])
            XCTAssertEqual(byID.status, .seeOther)
            let other = try XCTUnwrap(patrons.first { $0.email == "reader2@school.example.edu.tw" })
            let notYet = TestBrowser(app)
            try await notYet.get("/login")
            let refused = try await notYet.post("/login", form: ["identifier": other.cardNumber!, "password": "maple cloud river 7"])
            XCTAssertEqual(refused.status, .unauthorized, "a holder who has not set a password cannot sign in")
        }
    }

    func testAnImportThatCrashesMidwayCarriesOnWhenRunAgainWithoutDuplicates() async throws {
        try await withTestApp { app in
            let (_, batch) = try await queuedBatch(app, count: 8)
            let staff = try await reviewer(app)
            var crashing = GroupServices.importer(app)
            crashing.chunkSize = 3
            crashing.afterPatronsWritten = { chunk in if chunk == 1 { throw SimulatedCrash() } }
            try await crashing.approve(batch, by: staff, ipAddress: nil)
            do {
                try await crashing.run(batchID: batch.requireID())
                XCTFail("the simulated crash should have stopped the import")
            } catch is SimulatedCrash {}

            // The first chunk committed whole; the second rolled back whole.
            var patrons = try await Patron.query(on: app.db).count()
            XCTAssertEqual(patrons, 3)
            let pending = try await GroupBatchRow.query(on: app.db).filter(\.$status == .pending).count()
            XCTAssertEqual(pending, 5)
            var midway = try await GroupBatch.find(batch.id, on: app.db)
            XCTAssertEqual(midway?.status, .importing)
            XCTAssertEqual(midway?.importedCount, 3)
            let nlpi = try await Library.require(code: "NLPI", on: app.db)
            let serial = try await (app.db as! any SQLDatabase).raw("SELECT last_serial FROM card_number_counters WHERE library_id = \(bind: nlpi.id!)")
                .first()?.decode(column: "last_serial", as: Int.self)
            XCTAssertEqual(serial, 3, "the rolled-back chunk took no card numbers")
            var activationMails = try await outboxMails(app).filter { $0.subject == "您的數位借閱證已辦理完成，請設定密碼" }.count
            XCTAssertEqual(activationMails, 3)

            // Run again, as the worker would after a restart: the rest, once.
            var resumed = GroupServices.importer(app)
            resumed.chunkSize = 3
            let outcome = try await resumed.run(batchID: batch.requireID())
            XCTAssertEqual(outcome, .init(ran: true, imported: 5, skipped: 0, completed: true))
            let again = try await resumed.run(batchID: batch.requireID())
            XCTAssertFalse(again.ran, "a completed batch is not run again")

            patrons = try await Patron.query(on: app.db).count()
            XCTAssertEqual(patrons, 8)
            let all = try await Patron.query(on: app.db).all()
            XCTAssertEqual(Set(all.compactMap(\.cardNumber)).count, 8)
            XCTAssertEqual(Set(all.compactMap(\.idNumberIndex)).count, 8)
            let rows = try await GroupBatchRow.query(on: app.db).all()
            XCTAssertEqual(rows.count, 8)
            XCTAssertTrue(rows.allSatisfy { $0.status == .imported })
            XCTAssertEqual(Set(rows.map(\.patronID)), Set(all.compactMap(\.id)), "each row made exactly its own card")
            let consents = try await ConsentRecord.query(on: app.db).filter(\.$channel == "group").count()
            XCTAssertEqual(consents, 8)
            let tokens = try await PatronActivationToken.query(on: app.db).count()
            XCTAssertEqual(tokens, 8)
            activationMails = try await outboxMails(app).filter { $0.subject == "您的數位借閱證已辦理完成，請設定密碼" }.count
            XCTAssertEqual(activationMails, 8)
            let issued = try await AuditEvent.query(on: app.db).filter(\.$action == "card.issued_by_group").count()
            XCTAssertEqual(issued, 8)
            midway = try await GroupBatch.find(batch.id, on: app.db)
            XCTAssertEqual(midway?.status, .completed)
            XCTAssertEqual(midway?.importedCount, 8)
            let completedMails = try await outboxMails(app).filter { $0.subject.contains("數位借閱證辦理完成") }.count
            XCTAssertEqual(completedMails, 1)
        }
    }

    func testAnImportLeftByACrashedInstanceIsResumedOnceItsLeaseRunsOut() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let (_, batch) = try await queuedBatch(app, count: 4)
            let importer = GroupServices.importer(app)
            try await importer.approve(batch, by: try await reviewer(app), ipAddress: nil)
            // Another instance holds the batch (it crashed while holding it).
            batch.importLeaseUntil = clock.now.addingTimeInterval(300)
            try await GroupBatch.query(on: app.db).filter(\.$id == batch.requireID()).set(\.$importLeaseUntil, to: batch.importLeaseUntil).update()
            let blocked = try await importer.run(batchID: batch.requireID())
            XCTAssertFalse(blocked.ran, "two instances never work on one batch")
            let none = try await importer.resumeUnfinished()
            XCTAssertEqual(none, 0)
            clock.advance(by: 301)
            let resumed = try await importer.resumeUnfinished()
            XCTAssertEqual(resumed, 1)
            let done = try await GroupBatch.find(batch.id, on: app.db)
            XCTAssertEqual(done?.status, .completed)
            let patrons = try await Patron.query(on: app.db).count()
            XCTAssertEqual(patrons, 4)
        }
    }

    func testSomeoneWhoGotACardBeforeTheImportIsSkippedNotDuplicated() async throws {
        try await withTestApp { app in
            let (organization, batch) = try await queuedBatch(app, count: 3)
            // Row 3's person applies online while the batch waits.
            let online = try await submitApplication(app, idNumber: nationalID(2, letter: "B"))
            let approved = try await organization.reviewer.post("/staff/group/batches/\(batch.id!.uuidString)/decision", form: ["decision": "approve"])
            XCTAssertEqual(approved.status, .seeOther)
            let awaited3 = try await GroupBatch.find(batch.id, on: app.db)
            let done = try XCTUnwrap(awaited3)
            XCTAssertEqual(done.status, .completed)
            XCTAssertEqual(done.importedCount, 2)
            XCTAssertEqual(done.skippedCount, 1)
            let people = try await Patron.query(on: app.db).filter(\.$idNumberIndex == online.idNumberIndex).count()
            XCTAssertEqual(people, 1, "still one row for the person")
            let skipped = try await GroupBatchRow.query(on: app.db).filter(\.$status == .skipped).all()
            XCTAssertEqual(skipped.map(\.rowNumber), [3])
            let summary = try await GroupBatchView.summaryRows(batchID: batch.requireID(), on: app.db)
            XCTAssertEqual(summary.map(\.name), ["學生1", "學生3"])
            let page = try await organization.contact.get("/group-application/contact/batches/\(batch.id!.uuidString)")
            XCTAssertTrue(page.text.contains("<dt>辦理時略過（已另行持證）</dt><dd>1</dd>"))
        }
    }

    func testARejectedBatchKeepsNoRowsAndTheContactIsToldWhy() async throws {
        try await withTestApp { app in
            let (organization, batch) = try await queuedBatch(app, count: 2)
            let path = "/staff/group/batches/\(batch.id!.uuidString)"
            try await organization.reviewer.get(path)
            let bare = try await organization.reviewer.post(path + "/decision", form: ["decision": "reject"])
            XCTAssertEqual(bare.status, .unprocessableEntity)
            XCTAssertTrue(bare.text.contains("不同意時請填寫原因"))
            let rejected = try await organization.reviewer.post(path + "/decision", form: ["decision": "reject", "reason": "公文文號與來函不符。"])
            XCTAssertEqual(rejected.status, .seeOther)
            let fresh = try await GroupBatch.find(batch.id, on: app.db)
            XCTAssertEqual(fresh?.status, .rejected)
            let rows = try await GroupBatchRow.query(on: app.db).count()
            XCTAssertEqual(rows, 0, "the staged personal data goes with the rejection")
            let patrons = try await Patron.query(on: app.db).count()
            XCTAssertEqual(patrons, 0)
            let awaited4 = try await outboxMails(app).last
            let mail = try XCTUnwrap(awaited4)
            XCTAssertTrue(mail.body.contains("公文文號與來函不符。"))
            let page = try await organization.contact.get("/group-application/contact/batches/\(batch.id!.uuidString)")
            XCTAssertTrue(page.text.contains("公文文號與來函不符。"))
            try await organization.reviewer.get(path)
            let late = try await organization.reviewer.post(path + "/decision", form: ["decision": "approve"])
            XCTAssertEqual(late.status, .conflict)
        }
    }
}
