import Fluent
import Foundation
import XCTVapor
@testable import App

/// 集體辦證, the organization's application: the seed's page, the form with its files, the reviewer's
/// decision, the contact's sign-in links and changes of contact person.
final class GroupApplicationTests: XCTestCase {
    func testTheGroupPageCarriesTheSeedsRulesAndTheTemplatesDownload() async throws {
        try await withTestApp { app in
            let page = try await TestBrowser(app).get("/group-application")
            XCTAssertEqual(page.status, .ok)
            for text in ["申請單位請指定 1 名聯絡人負責辦理。", "蓋有機關關防之申請單",
                         "外籍人士無法辦理數位借閱證", "僅限學校或機關內之教職員及學生，不擴及親友", "如分批次申請，需分次發文申辦",
                         "學校暨機關集體申辦應負之基本義務", "負責人員如有異動，應通知本館變更相關資料", "約 7–10 個工作天",
                         "個人持有數位借閱證應負之基本義務", "不得轉借、讓與", "惟無法借閱及預約實體資料", "將退回重填"] {
                XCTAssertTrue(page.text.contains(text), text)
            }
            let english = try await TestBrowser(app).get("/group-application?lang=en")
            XCTAssertTrue(english.text.contains("7–10 working days"))

            let xlsx = try await TestBrowser(app).get("/group-application/template.xlsx")
            XCTAssertEqual(xlsx.status, .ok)
            XCTAssertEqual(xlsx.headers.contentType?.subType, "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            XCTAssertTrue(xlsx.headers.first(name: .contentDisposition)?.hasPrefix("attachment;") ?? false)
            let sheets = try await GroupFiles.readXLSX(Data(buffer: xlsx.body))
            XCTAssertEqual(sheets["讀者資料"]?["B1"]?["v"] as? String, "身分證字號")
            let ods = try await TestBrowser(app).get("/group-application/template.ods")
            XCTAssertEqual(ods.status, .ok)
            XCTAssertTrue(Data(buffer: ods.body).range(of: Data("application/vnd.oasis.opendocument.spreadsheet".utf8)) != nil)
        }
    }

    func testTheFormRefusesBadInputNamingEachFieldKeepsWhatWasTypedAndStoresNothing() async throws {
        try await withTestApp { app in
            let browser = TestBrowser(app)
            let form = try await browser.get("/group-application/apply")
            XCTAssertEqual(form.status, .ok)
            XCTAssertTrue(form.text.contains(#"enctype="multipart/form-data""#))
            XCTAssertTrue(form.text.contains("國立公共資訊圖書館"), "NLPI runs group cards and is preselected")
            let response = try await browser.postMultipart("/group-application/apply", fields: [
                "library": "NLPI", "organizationName": "", "contactName": "李老師", "contactTitle": "", "contactPhone": "123",
                "contactEmail": "li@school.example.edu.tw", "letterNumber": "中市示小字第1號", "letterDate": "2026-12-01",
            ], files: [
                "applicationForm": (filename: "申請單.pdf", type: "application/pdf", data: Array("not a pdf at all".utf8)),
                "consentStatement": (filename: "", type: "application/octet-stream", data: []),
            ])
            XCTAssertEqual(response.status, .unprocessableEntity)
            for message in ["請填寫學校或機關名稱。", "請選擇單位類型（學校或機關）。", "請填寫聯絡人職稱。", "聯絡電話格式不正確",
                            "發文日期不可晚於今天。", "申請單（蓋機關關防）：只接受 PDF、JPEG 或 PNG 檔。",
                            "個人資料授權同意聲明書（聯絡人簽名或蓋章）：請選擇檔案。", "請勾選同意遵守學校暨機關集體申辦應負之基本義務。",
                            "請重新選擇申請單及聲明書檔案"] {
                XCTAssertTrue(response.text.contains(message), message)
            }
            XCTAssertTrue(response.text.contains(#"value="李老師""#), "what was typed is kept")
            XCTAssertTrue(response.text.contains(#"value="中市示小字第1號""#))
            XCTAssertTrue(response.text.contains(#"id="applicationForm" name="applicationForm" type="file""#))
            XCTAssertTrue(response.text.contains(##"<a href="#applicationForm">"##), "the summary links to the field")
            let stored = try await GroupApplicationRecord.query(on: app.db).count()
            XCTAssertEqual(stored, 0)
            let documents = try await GroupDocument.query(on: app.db).count()
            XCTAssertEqual(documents, 0)
            let sealed = try await storedSealedFiles(app)
            XCTAssertEqual(Array(sealed.keys), [])
            let refused = try await AuditEvent.query(on: app.db).filter(\.$action == "group_application.refused").all()
            XCTAssertEqual(refused.count, 1)
            XCTAssertFalse(refused[0].details?.contains("李老師") ?? true, "the trail names fields, never what was typed")
        }
    }

    func testAnApplicationIsStoredWithItsFilesSealedAndTheContactIsEmailed() async throws {
        try await withTestApp { app in
            let browser = TestBrowser(app)
            try await browser.get("/group-application/apply")
            let pdf = try await GroupFiles.document("pdf")
            let jpeg = try await GroupFiles.document("jpeg")
            let response = try await browser.postMultipart("/group-application/apply", fields: [
                "library": "NLPI", "organizationName": "國立示範高級中學", "organizationKind": "school", "contactName": "李老師",
                "contactTitle": "圖書館主任", "contactPhone": "04-2262-5100#1117", "contactEmail": "Li@School.Example.edu.tw",
                "letterNumber": "示高字第1150000001號", "letterDate": "115/11/02", "acceptsObligations": "yes",
            ], files: [
                "applicationForm": (filename: "申請單.pdf", type: "application/pdf", data: [UInt8](pdf)),
                "consentStatement": (filename: "聲明書.jpg", type: "image/jpeg", data: [UInt8](jpeg)),
            ])
            XCTAssertEqual(response.status, .seeOther)
            XCTAssertEqual(response.headers.first(name: .location), "/group-application/submitted")
            let done = try await browser.get("/group-application/submitted")
            let awaited1 = try await GroupApplicationRecord.query(on: app.db).first()
            let record = try XCTUnwrap(awaited1)
            XCTAssertTrue(done.text.contains(record.reference))
            XCTAssertTrue(record.reference.hasPrefix("NLPI-G261118-"))
            XCTAssertEqual(record.status, .submitted)
            XCTAssertEqual(record.contactEmail, "li@school.example.edu.tw")
            XCTAssertEqual(record.letterDate, "2026-11-02")
            XCTAssertEqual(record.dueOn, "2026-12-02", "10 working days in the 2026 office calendar")
            let documents = try await GroupDocument.query(on: app.db).filter(\.$application.$id == record.requireID()).all()
            XCTAssertEqual(Set(documents.map(\.kind)), [.applicationForm, .consentStatement])
            let form = try XCTUnwrap(documents.first { $0.kind == .applicationForm })
            XCTAssertEqual(form.mediaType, "application/pdf")
            let stored = try await XCTUnwrapAsync(await storedSealedFiles(app)[form.id!.uuidString.lowercased()])
            XCTAssertNil(stored.range(of: Data("%PDF".utf8)), "stored sealed, not in clear")
            let opened = try await app.sealedFiles.load(id: form.id!, context: form.sealContext)
            XCTAssertEqual(opened, pdf)
            do {
                _ = try await app.sealedFiles.load(id: form.id!, context: "group.document:\(UUID().uuidString)")
                XCTFail("a sealed file opens only as the record it belongs to")
            } catch {}
            let mails = try await outboxMails(app)
            XCTAssertEqual(mails.map(\.to), ["li@school.example.edu.tw"])
            XCTAssertTrue(mails[0].subject.contains(record.reference))
            XCTAssertTrue(mails[0].body.contains("民國115年12月2日"), "a zh-TW email speaks 民國 dates: \(mails[0].body)")
        }
    }

    func testReviewersOfTheLibraryAppliedToSeeTheQueueReadTheFilesOnTheTrailAndApprove() async throws {
        try await withTestApp { app in
            let record = try await GroupFixtures.submitted(app)
            let desk = try await signedInStaff(app, role: "desk", library: "NLPI", email: "desk@nlpi.example")
            let refused = try await desk.get("/staff/group")
            XCTAssertEqual(refused.status, .forbidden)
            let taipei = try await signedInStaff(app, role: "reviewer", library: "TPML", email: "reviewer@tpml.example")
            let elsewhere = try await taipei.get("/staff/group")
            XCTAssertFalse(elsewhere.text.contains("臺中市立示範國民小學"), "other libraries' reviewers do not see it")
            let notTheirs = try await taipei.get("/staff/group/applications/\(record.id!.uuidString)")
            XCTAssertEqual(notTheirs.status, .notFound)

            let reviewer = try await signedInStaff(app, role: "reviewer", library: "NLPI", email: "reviewer@nlpi.example")
            let home = try await reviewer.get("/staff")
            XCTAssertTrue(home.text.contains(#"href="/staff/group""#))
            let queue = try await reviewer.get("/staff/group")
            XCTAssertTrue(queue.text.contains("臺中市立示範國民小學"))
            XCTAssertTrue(queue.text.contains("2026-12-02"))
            let detail = try await reviewer.get("/staff/group/applications/\(record.id!.uuidString)")
            XCTAssertEqual(detail.status, .ok)
            XCTAssertTrue(detail.text.contains("李老師"))
            XCTAssertTrue(detail.text.contains("中市示小字第1150000001號"))
            let documents = try await GroupDocument.query(on: app.db).filter(\.$application.$id == record.requireID()).all()
            for document in documents {
                let file = try await reviewer.get("/staff/group/documents/\(document.id!.uuidString)")
                XCTAssertEqual(file.status, .ok)
                XCTAssertEqual(file.headers.contentType?.description.hasPrefix(document.mediaType), true)
                XCTAssertTrue(file.headers.first(name: .contentDisposition)?.hasPrefix("attachment;") ?? false)
                XCTAssertEqual(file.headers.first(name: .cacheControl), "no-store")
                // Opened from the downloads bar, a document someone sent is still a sandbox.
                XCTAssertEqual(file.headers["Content-Security-Policy"], ["default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"])
            }
            let pdf = try await reviewer.get("/staff/group/documents/\(documents.first { $0.kind == .applicationForm }!.id!.uuidString)")
            let uploaded = try await GroupFiles.document("pdf")
            XCTAssertEqual(Data(buffer: pdf.body), uploaded)
            let png = try await reviewer.get("/staff/group/documents/\(documents.first { $0.kind == .consentStatement }!.id!.uuidString)")
            XCTAssertEqual(Array(Data(buffer: png.body).prefix(4)), [0x89, 0x50, 0x4E, 0x47])
            let otherLibrary = try await taipei.get("/staff/group/documents/\(documents[0].id!.uuidString)")
            XCTAssertEqual(otherLibrary.status, .notFound)
            let viewed = try await AuditEvent.query(on: app.db).filter(\.$action == "group_document.viewed").all()
            XCTAssertEqual(viewed.count, 4, "each of the four reads, none of the refused one")
            XCTAssertTrue(viewed.allSatisfy { $0.actorType == "staff" && $0.subjectType == "group_document" })
            let opened = try await AuditEvent.query(on: app.db).filter(\.$action == "group_application.viewed").count()
            XCTAssertEqual(opened, 1)

            let approved = try await reviewer.post("/staff/group/applications/\(record.id!.uuidString)/decision", form: ["decision": "approve"])
            XCTAssertEqual(approved.status, .seeOther)
            let fresh = try await GroupApplicationRecord.find(record.id, on: app.db)
            XCTAssertEqual(fresh?.status, .approved)
            let awaited2 = try await outboxMails(app).last
            let mail = try XCTUnwrap(awaited2)
            XCTAssertEqual(mail.to, "contact@school.example.edu.tw")
            XCTAssertTrue(mail.subject.contains("已同意"))
            XCTAssertNotNil(linkPath("/group-application/contact/sign-in", in: mail.body))
            try await reviewer.get("/staff/group/applications/\(record.id!.uuidString)")
            let again = try await reviewer.post("/staff/group/applications/\(record.id!.uuidString)/decision", form: ["decision": "reject", "reason": "x"])
            XCTAssertEqual(again.status, .conflict, "decided once")
        }
    }

    func testARejectionNeedsAReasonWhichTheContactIsSent() async throws {
        try await withTestApp { app in
            let record = try await GroupFixtures.submitted(app)
            let reviewer = try await signedInStaff(app, role: "reviewer", library: "NLPI", email: "reviewer@nlpi.example")
            try await reviewer.get("/staff/group/applications/\(record.id!.uuidString)")
            let bare = try await reviewer.post("/staff/group/applications/\(record.id!.uuidString)/decision", form: ["decision": "reject"])
            XCTAssertEqual(bare.status, .unprocessableEntity)
            XCTAssertTrue(bare.text.contains("不同意時請填寫原因"))
            let unchanged = try await GroupApplicationRecord.find(record.id, on: app.db)
            XCTAssertEqual(unchanged?.status, .submitted)
            let rejected = try await reviewer.post("/staff/group/applications/\(record.id!.uuidString)/decision",
                                                   form: ["decision": "reject", "reason": "申請單未蓋機關關防，請補正後重新申請。"])
            XCTAssertEqual(rejected.status, .seeOther)
            let awaited3 = try await outboxMails(app).last
            let mail = try XCTUnwrap(awaited3)
            XCTAssertTrue(mail.subject.contains("未通過"))
            XCTAssertTrue(mail.body.contains("申請單未蓋機關關防，請補正後重新申請。"))
            XCTAssertNil(linkPath("/group-application/contact/sign-in", in: mail.body))
            // A rejected organization's contact cannot sign in: asking for a link sends nothing.
            let before = try await OutboxMessage.query(on: app.db).filter(\.$kind == .email).count()
            let browser = TestBrowser(app)
            try await browser.get("/group-application/contact")
            let asked = try await browser.post("/group-application/contact", form: ["email": "contact@school.example.edu.tw"])
            XCTAssertTrue(asked.text.contains("若此電子信箱是已核准單位的聯絡人"))
            try await answerLinkRequests(app)
            let after = try await OutboxMessage.query(on: app.db).filter(\.$kind == .email).count()
            XCTAssertEqual(after, before)
        }
    }

    func testTheContactsLinkWorksOnceAndAskingForOneAnswersTheSameForEveryone() async throws {
        try await withTestApp { app in
            let organization = try await GroupFixtures.approved(app)
            let home = try await organization.contact.get("/group-application/contact/home")
            XCTAssertEqual(home.status, .ok)
            XCTAssertTrue(home.text.contains("臺中市立示範國民小學"))
            XCTAssertTrue(home.text.contains(#"href="/group-application/template.xlsx""#))
            let awaited4 = try await outboxMails(app).last!.body
            let path = try XCTUnwrap(linkPath("/group-application/contact/sign-in", in: awaited4))
            let reused = try await TestBrowser(app).get(path)
            XCTAssertEqual(reused.status, .gone)
            XCTAssertTrue(reused.text.contains("此登入連結無效、已使用或已逾時"))

            let stranger = TestBrowser(app)
            let signedOut = try await stranger.get("/group-application/contact/home")
            XCTAssertEqual(signedOut.status, .seeOther)
            XCTAssertEqual(signedOut.headers.first(name: .location), "/group-application/contact?signed_out=expired")
            try await stranger.get("/group-application/contact")
            let before = try await OutboxMessage.query(on: app.db).filter(\.$kind == .email).count()
            let unknown = try await stranger.post("/group-application/contact", form: ["email": "nobody@example.org"])
            let known = try await stranger.post("/group-application/contact", form: ["email": "CONTACT@school.example.edu.tw"])
            XCTAssertEqual(unknown.status, .ok)
            XCTAssertEqual(known.status, .ok)
            XCTAssertEqual(unknown.text.replacingOccurrences(of: #"value="[^"]*""#, with: "", options: .regularExpression),
                           known.text.replacingOccurrences(of: #"value="[^"]*""#, with: "", options: .regularExpression))
            try await answerLinkRequests(app)
            let after = try await OutboxMessage.query(on: app.db).filter(\.$kind == .email).count()
            XCTAssertEqual(after, before + 1, "only the real contact gets a link")
            let fresh = try await GroupFixtures.signInContact(app, email: "contact@school.example.edu.tw")
            let again = try await fresh.get("/group-application/contact/home")
            XCTAssertEqual(again.status, .ok)
            let signIns = try await AuditEvent.query(on: app.db).filter(\.$action == "group_contact.signed_in").count()
            XCTAssertEqual(signIns, 2)
        }
    }

    /// The rule lives in the service, so a command or a test that changes the contact meets it as the web form does.
    func testARejectedApplicationsContactCannotBeChanged() async throws {
        try await withTestApp { app in
            let record = try await GroupFixtures.submitted(app)
            let id = record.id!.uuidString
            let reviewer = try await signedInStaff(app, role: "reviewer", library: "NLPI", email: "reviewer@nlpi.example")
            try await reviewer.get("/staff/group/applications/\(id)")
            let rejected = try await reviewer.post("/staff/group/applications/\(id)/decision",
                                                   form: ["decision": "reject", "reason": "申請單未蓋機關關防，請補正後重新申請。"])
            XCTAssertEqual(rejected.status, .seeOther)
            let form = ["contactName": "陳組長", "contactTitle": "設備組長", "contactPhone": "0912345678",
                        "contactEmail": "chen@school.example.edu.tw", "note": "中市示小字第1150000009號函"]
            let refused = try await reviewer.post("/staff/group/applications/\(id)/contact", form: form)
            XCTAssertEqual(refused.status, .conflict)

            let found = try await GroupApplicationRecord.find(record.id, on: app.db)
            let stored = try XCTUnwrap(found)
            let member = try await StaffMember.query(on: app.db).filter(\.$email == "reviewer@nlpi.example").first()
            let staff = try XCTUnwrap(member)
            do {
                try await GroupServices.application(app).changeContact(
                    stored, name: form["contactName"]!, title: form["contactTitle"]!, phone: form["contactPhone"]!,
                    email: form["contactEmail"]!, note: form["note"]!, by: staff, ipAddress: nil)
                XCTFail("a rejected application's contact was changed")
            } catch let error as GroupApplicationError {
                XCTAssertEqual(error, .notAwaitingDecision)
            }
            let history = try await GroupContactChange.query(on: app.db).count()
            XCTAssertEqual(history, 0)
            let unchanged = try await GroupApplicationRecord.find(record.id, on: app.db)
            XCTAssertEqual(unchanged?.contactEmail, "contact@school.example.edu.tw")
        }
    }

    func testAChangeOfContactIsRecordedAuditedAndEndsTheOldContactsAccess() async throws {
        try await withTestApp { app in
            let organization = try await GroupFixtures.approved(app)
            let id = organization.record.id!.uuidString
            // An unused link of the old contact, asked for before the change.
            let stranger = TestBrowser(app)
            try await stranger.get("/group-application/contact")
            try await stranger.post("/group-application/contact", form: ["email": "contact@school.example.edu.tw"])
            try await answerLinkRequests(app)
            let awaited5 = try await outboxMails(app).last!.body
            let oldLink = try XCTUnwrap(linkPath("/group-application/contact/sign-in", in: awaited5))

            let reviewer = organization.reviewer
            try await reviewer.get("/staff/group/applications/\(id)")
            let incomplete = try await reviewer.post("/staff/group/applications/\(id)/contact", form: [
                "contactName": "陳組長", "contactTitle": "設備組長", "contactPhone": "0912345678", "contactEmail": "chen@school.example.edu.tw",
            ])
            XCTAssertEqual(incomplete.status, .unprocessableEntity)
            XCTAssertTrue(incomplete.text.contains("請填寫變更依據"))
            XCTAssertTrue(incomplete.text.contains(#"value="chen@school.example.edu.tw""#))
            let changed = try await reviewer.post("/staff/group/applications/\(id)/contact", form: [
                "contactName": "陳組長", "contactTitle": "設備組長", "contactPhone": "0912345678", "contactEmail": "chen@school.example.edu.tw",
                "note": "中市示小字第1150000009號函",
            ])
            XCTAssertEqual(changed.status, .seeOther)
            let history = try await GroupContactChange.query(on: app.db).all()
            XCTAssertEqual(history.count, 1)
            XCTAssertEqual(history[0].previousEmail, "contact@school.example.edu.tw")
            XCTAssertEqual(history[0].previousName, "李老師")
            XCTAssertEqual(history[0].newEmail, "chen@school.example.edu.tw")
            XCTAssertEqual(history[0].note, "中市示小字第1150000009號函")
            let page = try await reviewer.get("/staff/group/applications/\(id)")
            XCTAssertTrue(page.text.contains("中市示小字第1150000009號函"))
            XCTAssertTrue(page.text.contains("reviewer@nlpi.example"))
            let audited = try await AuditEvent.query(on: app.db).filter(\.$action == "group_application.contact_changed").all()
            XCTAssertEqual(audited.count, 1)
            XCTAssertFalse(audited[0].details?.contains("chen@") ?? true)

            let oldSession = try await organization.contact.get("/group-application/contact/home")
            XCTAssertEqual(oldSession.status, .seeOther, "the old contact's session ends")
            let oldLinkNow = try await TestBrowser(app).get(oldLink)
            XCTAssertEqual(oldLinkNow.status, .gone, "and so do their links")
            let mails = try await outboxMails(app)
            XCTAssertTrue(mails.contains { $0.to == "contact@school.example.edu.tw" && $0.subject == "集體辦證聯絡人已變更" })
            XCTAssertTrue(mails.contains { $0.to == "chen@school.example.edu.tw" && linkPath("/group-application/contact/sign-in", in: $0.body) != nil })
            let newContact = try await GroupFixtures.signInContact(app, email: "chen@school.example.edu.tw")
            let home = try await newContact.get("/group-application/contact/home")
            XCTAssertTrue(home.text.contains("陳組長"))
        }
    }
}
