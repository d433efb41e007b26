import Fluent
import Foundation
import OneCardDomain
import XCTVapor
@testable import App

/// Issue #14 item 5: the audit trail filtered by date range, actor, action, subject (a card number, or an ID
/// number through its blind index, never in a URL) and library, inside the library boundary; paged by keyset;
/// actions in words; subjects linked to their records; downloaded as csv or xlsx, the download audited.
final class AuditTrailTests: XCTestCase {
    /// Taipei's administrator, a patron of Taipei with a card, and entries of several kinds, libraries and days.
    struct Trail {
        let app: Application
        let clock: TestClock
        let admin: TestBrowser
        let patron: Patron
        let idNumber: String
        let batchID = UUID()
    }

    func entry(_ app: Application, _ action: String, by actor: AuditActor, subject: (type: String, id: String)? = nil,
               library: String?, at time: Date, details: [String: String] = [:]) async throws {
        var libraryID: UUID?
        if let library { libraryID = try await Library.require(code: library, on: app.db).requireID() }
        try await AuditTrail.record(action, by: actor, subject: subject, libraryID: libraryID, details: details, at: time, on: app.db)
    }

    func withTrail(_ body: (Trail) async throws -> Void) async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let idNumber = nationalID(7)
            let patron = try await activateCard(app, try await submitApplication(app, idNumber: idNumber))
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let trail = Trail(app: app, clock: clock, admin: admin, patron: patron, idNumber: idNumber)
            let day: TimeInterval = 86_400
            let now = clock.now
            // Ten days ago, five days ago, yesterday; another library's; the consortium's (no library).
            try await entry(app, "card.suspended", by: .staff(UUID(), ipAddress: "10.0.0.9"), subject: ("patron", patron.id!.uuidString),
                            library: "TPML", at: now.addingTimeInterval(-10 * day), details: ["reason": "lost"])
            try await entry(app, "group_batch.viewed", by: .staff(UUID(), ipAddress: nil), subject: ("group_batch", trail.batchID.uuidString),
                            library: "TPML", at: now.addingTimeInterval(-5 * day))
            try await entry(app, "card.issued_by_group", by: .system("group-import"), subject: ("patron", patron.id!.uuidString),
                            library: "TPML", at: now.addingTimeInterval(-1 * day))
            try await entry(app, "staff.signed_in", by: .staff(UUID(), ipAddress: "10.9.9.9"), library: "NTPL", at: now.addingTimeInterval(-2 * day))
            try await entry(app, "keys.reencrypted", by: .commandLine, library: nil, at: now.addingTimeInterval(-3 * day))
            clock.advance(by: 60)
            try await body(trail)
        }
    }

    /// The action codes of the rows shown, top to bottom.
    func actions(_ html: String) -> [String] {
        html.components(separatedBy: #"<tr data-action=""#).dropFirst().map { String($0.prefix { $0 != "\"" }) }
    }

    /// The row of `code` (the first one).
    func row(_ html: String, _ code: String) -> String {
        guard let start = html.range(of: #"<tr data-action="\#(code)""#) else { return "" }
        let rest = html[start.lowerBound...]
        return String(rest[..<(rest.range(of: "</tr>")?.upperBound ?? rest.endIndex)])
    }

    func viewedDetails(_ app: Application) async throws -> [[String: String]] {
        try await AuditEvent.query(on: app.db).filter(\.$action == "audit.viewed").sort(\.$occurredAt).sort(\.$id).all().map {
            try JSONDecoder().decode([String: String].self, from: Data(($0.details ?? "{}").utf8))
        }
    }

    // MARK: Display and the boundary

    func testTheTrailShowsActionsInWordsWithSubjectsLinkedAndOnlyTheLibrarysOwnEntries() async throws {
        try await withTrail { trail in
            let page = try await trail.admin.get("/staff/audit")
            XCTAssertEqual(page.status, .ok)
            let shown = actions(page.text)
            XCTAssertTrue(shown.contains("card.suspended"), "\(shown)")
            XCTAssertTrue(shown.contains("card.issued_by_group"))
            XCTAssertTrue(shown.contains("staff.signed_in"), "the admin's own sign-in")
            XCTAssertFalse(shown.contains("keys.reencrypted"), "the consortium's entries are not a library's")
            XCTAssertFalse(page.text.contains("10.9.9.9"), "another library's entries are not shown")
            XCTAssertLessThan(shown.firstIndex(of: "card.issued_by_group")!, shown.firstIndex(of: "card.suspended")!, "newest first")

            // Actions in words; the actor by name; the subject by its card number, linked to its record.
            let suspended = row(page.text, "card.suspended")
            XCTAssertTrue(suspended.contains(">停權</td>"), suspended)
            XCTAssertTrue(suspended.contains(#"<a href="/staff/patrons/\#(trail.patron.id!.uuidString)">讀者 \#(trail.patron.cardNumber!)</a>"#), suspended)
            XCTAssertTrue(suspended.contains(#"href="/staff/audit?subject=patron:\#(trail.patron.id!.uuidString)""#), suspended)
            XCTAssertTrue(suspended.contains("reason: lost"), suspended)
            let imported = row(page.text, "card.issued_by_group")
            XCTAssertTrue(imported.contains(">集體辦證發卡</td>"), imported)
            XCTAssertTrue(imported.contains("系統作業 group-import"), imported)
            let batch = row(page.text, "group_batch.viewed")
            XCTAssertTrue(batch.contains(#"<a href="/staff/group/batches/\#(trail.batchID.uuidString)">集體辦證批次 "#), batch)
            let signIn = row(page.text, "staff.signed_in")
            XCTAssertTrue(signIn.contains(">員工登入</td>"), signIn)
            XCTAssertTrue(signIn.contains("admin@tpml.example"), signIn)

            let english = try await trail.admin.get("/staff/audit?lang=en")
            XCTAssertTrue(row(english.text, "card.suspended").contains(">Suspended</td>"))
            XCTAssertTrue(row(english.text, "card.issued_by_group").contains(">Card issued through a group batch</td>"))
            XCTAssertTrue(row(english.text, "card.suspended").contains("Patron \(trail.patron.cardNumber!)"))
            for code in actions(english.text) {
                XCTAssertFalse(row(english.text, code).contains(">\(code)</td>"), "\(code) is shown in words")
            }
        }
    }

    func testTheConsortiumAdministratorSeesEveryLibraryAndChoosesOne() async throws {
        try await withTrail { trail in
            let consortium = try await signedInStaff(trail.app, role: "consortium_admin", email: "consortium@tpml.example")
            let all = actions(try await consortium.get("/staff/audit").text)
            for code in ["card.suspended", "keys.reencrypted"] { XCTAssertTrue(all.contains(code), "\(code) in \(all)") }
            XCTAssertEqual(all.filter { $0 == "staff.signed_in" }.count, 3, "Taipei's admin, New Taipei's entry and the consortium admin's: \(all)")

            let newTaipei = try await consortium.get("/staff/audit?library=NTPL")
            XCTAssertEqual(actions(newTaipei.text), ["staff.signed_in"])
            XCTAssertTrue(newTaipei.text.contains("10.9.9.9"))
            let none = try await consortium.get("/staff/audit?library=none")
            XCTAssertEqual(actions(none.text), ["keys.reencrypted"])
            XCTAssertTrue(row(none.text, "keys.reencrypted").contains("伺服器指令列"))

            // A library's administrator cannot ask for another library's entries, nor the consortium's.
            for library in ["NTPL", "none", "all"] {
                let refused = try await trail.admin.get("/staff/audit?library=\(library)")
                XCTAssertEqual(refused.status, .unprocessableEntity, library)
                XCTAssertTrue(refused.text.contains("「圖書館」只能選擇您所屬的圖書館。"), library)
                XCTAssertEqual(actions(refused.text), [], library)
            }
            let own = try await trail.admin.get("/staff/audit?library=TPML")
            XCTAssertEqual(own.status, .ok)
        }
    }

    // MARK: Filters

    func testFiltersByDateRangeActionAndActor() async throws {
        try await withTrail { trail in
            let now = trail.clock.now
            func day(_ offset: Int) -> String { CalendarDay(date: now.addingTimeInterval(Double(offset) * 86_400), timeZone: .taipei).iso }
            let range = try await trail.admin.get("/staff/audit?from=\(day(-10))&to=\(day(-5))")
            XCTAssertEqual(actions(range.text), ["group_batch.viewed", "card.suspended"])
            XCTAssertTrue(range.text.contains("符合 2 筆"))
            let oneDay = try await trail.admin.get("/staff/audit?from=\(day(-1))&to=\(day(-1))")
            XCTAssertEqual(actions(oneDay.text), ["card.issued_by_group"])
            let since = try await trail.admin.get("/staff/audit?from=\(day(-1))")
            XCTAssertFalse(actions(since.text).contains("card.suspended"))
            XCTAssertTrue(actions(since.text).contains("card.activated"))

            let action = try await trail.admin.get("/staff/audit?action=card.suspended")
            XCTAssertEqual(actions(action.text), ["card.suspended"])
            XCTAssertTrue(action.text.contains(#"<option value="card.suspended" selected>停權</option>"#))

            let byEmail = actions(try await trail.admin.get("/staff/audit?actor=ADMIN@tpml.example").text)
            XCTAssertFalse(byEmail.isEmpty)
            XCTAssertTrue(byEmail.allSatisfy { ["staff.signed_in", "staff.password_set", "staff.second_factor_enrolled", "staff.second_factor_verified", "audit.viewed"].contains($0) }, "\(byEmail)")
            let bySystem = try await trail.admin.get("/staff/audit?actor=group-import")
            XCTAssertEqual(actions(bySystem.text), ["card.issued_by_group"])

            // Each look is audited with its filter.
            let details = try await viewedDetails(trail.app)
            XCTAssertTrue(details.contains { $0["action"] == "card.suspended" && $0["library"] == "TPML" }, "\(details)")
            XCTAssertTrue(details.contains { $0["actor"] == "group-import" })
        }
    }

    func testASubjectTypedAsACardOrIDNumberIsSealedAndNeverInAURLOrTheTrail() async throws {
        try await withTrail { trail in
            let patronID = trail.patron.id!.uuidString
            let card = trail.patron.cardNumber!
            try await trail.admin.get("/staff/audit")
            for typed in [trail.idNumber, card, trail.idNumber.lowercased()] {
                let posted = try await trail.admin.post("/staff/audit", form: ["subject": typed, "action": "", "from": "", "to": "", "actor": ""])
                XCTAssertEqual(posted.status, .seeOther, typed)
                let location = posted.headers.first(name: .location) ?? ""
                XCTAssertTrue(location.hasPrefix("/staff/audit?subject=sealed:"), location)
                XCTAssertFalse(location.uppercased().contains(trail.idNumber), "no ID number in the address: \(location)")
                XCTAssertFalse(location.contains(card))
                let page = try await trail.admin.get(location)
                XCTAssertEqual(page.status, .ok)
                let shown = actions(page.text)
                XCTAssertTrue(shown.contains("card.suspended") && shown.contains("card.issued_by_group") && shown.contains("card.activated"), "\(shown)")
                XCTAssertFalse(shown.contains("staff.signed_in"), "only entries about the patron: \(shown)")
                XCTAssertFalse(shown.contains("group_batch.viewed"))
                // The paging and download links keep the subject sealed too.
                XCTAssertFalse(page.text.contains("subject=\(trail.idNumber)"))
                XCTAssertTrue(page.text.contains("/staff/audit/audit.csv?subject=sealed"))
            }
            // The trail records which patron the subject was, never what was typed.
            let entries = try await AuditEvent.query(on: trail.app.db).all()
            for event in entries {
                XCTAssertFalse((event.details ?? "").uppercased().contains(trail.idNumber), "\(event.action): \(event.details ?? "")")
            }
            let looks = try await viewedDetails(trail.app)
            XCTAssertTrue(looks.contains { $0["subject"] == "patron:\(patronID)" }, "\(looks)")

            // Someone who is no patron: an empty trail, the same as a patron with no entries here.
            let stranger = try await trail.admin.post("/staff/audit", form: ["subject": nationalID(99)])
            let empty = try await trail.admin.get(stranger.headers.first(name: .location) ?? "")
            XCTAssertEqual(empty.status, .ok)
            XCTAssertEqual(actions(empty.text), [])
            XCTAssertTrue(empty.text.contains("沒有符合的紀錄。"))

            // A subject reached by a row's link is the record itself, named above the trail.
            let linked = try await trail.admin.get("/staff/audit?subject=patron:\(patronID)")
            XCTAssertTrue(actions(linked.text).contains("card.suspended"))
            XCTAssertTrue(linked.text.contains("只顯示關於此對象的紀錄： <strong>讀者 \(card)</strong>"), linked.text)
            let batch = try await trail.admin.get("/staff/audit?subject=group_batch:\(trail.batchID.uuidString)")
            XCTAssertEqual(actions(batch.text), ["group_batch.viewed"])
        }
    }

    func testAFilterThatIsNotValidIsRefusedNamingItsField() async throws {
        try await withTrail { trail in
            try await trail.admin.get("/staff/audit")
            let dates = try await trail.admin.post("/staff/audit", form: ["from": "2026-13-01", "to": "yesterday", "subject": nationalID(7)])
            XCTAssertEqual(dates.status, .unprocessableEntity)
            XCTAssertTrue(dates.text.contains("「起日」請以 YYYY-MM-DD 格式輸入有效日期。"))
            XCTAssertTrue(dates.text.contains("「迄日」請以 YYYY-MM-DD 格式輸入有效日期。"))
            XCTAssertTrue(dates.text.contains(#"value="2026-13-01""#), "what was typed is kept")
            XCTAssertEqual(actions(dates.text), [], "no entries under a refused filter")

            let action = try await trail.admin.get("/staff/audit?action=patron.stolen")
            XCTAssertEqual(action.status, .unprocessableEntity)
            XCTAssertTrue(action.text.contains("「動作」請從清單中選擇。"))
            let subject = try await trail.admin.post("/staff/audit", form: ["subject": "王小明"])
            XCTAssertEqual(subject.status, .unprocessableEntity)
            XCTAssertTrue(subject.text.contains("「對象」請輸入借閱證號或身分證字號。"))
            let forged = try await trail.admin.get("/staff/audit?subject=sealed:not-a-seal")
            XCTAssertEqual(forged.status, .unprocessableEntity)
            XCTAssertTrue(forged.text.contains("「對象」請輸入借閱證號或身分證字號。"))
            let range = try await trail.admin.get("/staff/audit?from=2026-11-20&to=2026-11-01&lang=en")
            XCTAssertEqual(range.status, .unprocessableEntity)
            XCTAssertTrue(range.text.contains("&quot;To&quot; cannot be before &quot;From&quot;.") || range.text.contains("\"To\" cannot be before \"From\"."), range.text)
            let before = try await AuditEvent.query(on: trail.app.db).filter(\.$action == "audit.viewed").count()
            XCTAssertEqual(before, 1, "only the first, valid look is recorded as a look at entries")
        }
    }

    // MARK: Paging

    func testPagesAreKeysetPagesThatNeitherRepeatNorSkipWhenEntriesArrive() async throws {
        try await withTrail { trail in
            let start = trail.clock.now
            // 120 entries, some sharing one instant, so the order within an instant (by id) is exercised.
            for n in 0..<120 {
                try await entry(trail.app, "patron.searched", by: .staff(UUID(), ipAddress: nil), library: "TPML",
                                at: start.addingTimeInterval(Double(n / 3)), details: ["n": String(n)])
            }
            let filter = "action=patron.searched"
            func numbers(_ html: String) -> [String] {
                html.components(separatedBy: "\">n: ").dropFirst().map { String($0.prefix { $0 != "<" }) }
            }
            let first = try await trail.admin.get("/staff/audit?\(filter)")
            XCTAssertTrue(first.text.contains("符合 120 筆"))
            XCTAssertEqual(actions(first.text).count, 50)
            XCTAssertFalse(first.text.contains("較新的紀錄"), "the first page has nothing newer")
            // A new entry arrives while the person reads: the next page goes on from where this one ended.
            try await entry(trail.app, "patron.searched", by: .staff(UUID(), ipAddress: nil), library: "TPML",
                            at: start.addingTimeInterval(1_000), details: ["n": "new"])
            var seen = numbers(first.text)
            var page = first
            while let older = link(page.text, "rel=\"next\"") {
                page = try await trail.admin.get(older)
                XCTAssertEqual(page.status, .ok)
                seen += numbers(page.text)
            }
            XCTAssertEqual(seen.count, 120, "every entry once")
            XCTAssertEqual(Set(seen).count, 120)
            XCTAssertFalse(seen.contains("new"))
            let instants = seen.map { Int($0)! / 3 }
            XCTAssertEqual(instants, instants.sorted(by: >), "newest first, across pages")
            XCTAssertEqual(numbers(page.text).count, 20)
            // Back up from the last page: the page before it, exactly.
            let newer = try XCTUnwrap(link(page.text, "rel=\"prev\""))
            let back = try await trail.admin.get(newer)
            XCTAssertEqual(numbers(back.text), Array(seen[50..<100]))
        }
    }

    func link(_ html: String, _ marker: String) -> String? {
        guard let range = html.range(of: marker) else { return nil }
        let before = html[..<range.lowerBound]
        guard let href = before.range(of: "href=\"", options: .backwards) else { return nil }
        return String(before[href.upperBound...].prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
    }

    // MARK: Download

    func testTheDownloadHoldsTheFilteredTrailAndIsItselfAudited() async throws {
        try await withTrail { trail in
            let page = try await trail.admin.get("/staff/audit?action=card.suspended")
            let csvPath = try XCTUnwrap(link(page.text, ">下載 CSV<"))
            let csv = try await trail.admin.get(csvPath)
            XCTAssertEqual(csv.status, .ok)
            XCTAssertEqual(csv.headers.contentType?.subType, "csv")
            XCTAssertTrue(csv.headers.first(name: .contentDisposition)?.hasPrefix("attachment;") == true)
            let bytes = Array(csv.body.readableBytesView)
            XCTAssertEqual(Array(bytes.prefix(3)), [0xEF, 0xBB, 0xBF], "UTF-8 with a byte order mark, for Excel")
            let lines = String(decoding: bytes.dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n").filter { !$0.isEmpty }
            XCTAssertEqual(lines.count, 2, "the header and the one suspension: \(lines)")
            XCTAssertTrue(lines[0].hasPrefix("時間（臺灣時間）,動作,動作代碼,操作者類別,操作者"), lines[0])
            XCTAssertTrue(lines[1].contains(",停權,card.suspended,員工,"), lines[1])
            XCTAssertTrue(lines[1].contains(trail.patron.id!.uuidString))
            XCTAssertTrue(lines[1].contains("讀者 \(trail.patron.cardNumber!)"))
            XCTAssertTrue(lines[1].contains("10.0.0.9"))

            let exported = try await AuditEvent.query(on: trail.app.db).filter(\.$action == "audit.exported").all()
            XCTAssertEqual(exported.count, 1)
            let details = try JSONDecoder().decode([String: String].self, from: Data((exported[0].details ?? "").utf8))
            XCTAssertEqual(details["format"], "csv")
            XCTAssertEqual(details["entries"], "1")
            XCTAssertEqual(details["action"], "card.suspended")
            XCTAssertEqual(details["library"], "TPML")
            XCTAssertEqual(exported[0].actorType, "staff")

            // xlsx, read by openpyxl: the same rows, in English words here.
            let xlsxPage = try await trail.admin.get("/staff/audit?actor=group-import&lang=en")
            let xlsxPath = try XCTUnwrap(link(xlsxPage.text, ">Download Excel (xlsx)<"))
            let xlsx = try await trail.admin.get(xlsxPath)
            XCTAssertEqual(xlsx.status, .ok)
            let sheets = try await GroupFiles.readXLSX(Data(xlsx.body.readableBytesView))
            let sheet = try XCTUnwrap(sheets.values.first)
            XCTAssertEqual(sheet["A1"]?["v"] as? String, "Time (Taiwan time)")
            XCTAssertEqual(sheet["B2"]?["v"] as? String, "Card issued through a group batch")
            XCTAssertEqual(sheet["C2"]?["v"] as? String, "card.issued_by_group")
            XCTAssertEqual(sheet["E2"]?["v"] as? String, "System job group-import")
            XCTAssertNil(sheet["A3"], "one entry")
            let formats = try await AuditEvent.query(on: trail.app.db).filter(\.$action == "audit.exported").all().map(\.details)
            XCTAssertTrue(formats.contains { $0?.contains(#""format":"xlsx""#) == true && $0?.contains(#""actor":"group-import""#) == true }, "\(formats)")

            // A download of a sealed subject records the patron, not the number.
            let posted = try await trail.admin.post("/staff/audit", form: ["subject": trail.idNumber])
            let subjectPage = try await trail.admin.get(posted.headers.first(name: .location) ?? "")
            let subjectCSV = try await trail.admin.get(try XCTUnwrap(link(subjectPage.text, ">Download CSV<"), "the session is in English now"))
            XCTAssertEqual(subjectCSV.status, .ok)
            let last = try await AuditEvent.query(on: trail.app.db).filter(\.$action == "audit.exported").sort(\.$occurredAt, .descending).sort(\.$id, .descending).all()
            XCTAssertTrue(last.contains { $0.details?.contains("patron:\(trail.patron.id!.uuidString)") == true })
            XCTAssertFalse(last.contains { $0.details?.contains(trail.idNumber) == true })
        }
    }

    // MARK: Roles

    func testOnlyAdministratorsOpenTheTrailAndItsDownloads() async throws {
        try await withTrail { trail in
            let desk = try await signedInStaff(trail.app, role: "desk", email: "desk@tpml.example")
            let reviewer = try await signedInStaff(trail.app, role: "reviewer", library: "NLPI", email: "reviewer@nlpi.example")
            let anonymous = TestBrowser(trail.app)
            let paths = ["/staff/audit", "/staff/audit/audit.csv", "/staff/audit/audit.xlsx"]
            for path in paths {
                let (byDesk, byReviewer, byNobody, byAdmin) = (try await desk.get(path), try await reviewer.get(path),
                                                               try await anonymous.get(path), try await trail.admin.get(path))
                XCTAssertEqual(byDesk.status, .forbidden, path)
                XCTAssertEqual(byReviewer.status, .forbidden, path)
                XCTAssertEqual(byNobody.status, .unauthorized, path)
                XCTAssertEqual(byAdmin.status, .ok, path)
            }
            try await desk.get("/staff")
            let posted = try await desk.post("/staff/audit", form: ["subject": trail.idNumber])
            XCTAssertEqual(posted.status, .forbidden)
            let consortium = try await signedInStaff(trail.app, role: "consortium_admin", email: "consortium@tpml.example")
            for path in paths {
                let page = try await consortium.get(path)
                XCTAssertEqual(page.status, .ok, path)
            }
            let home = try await consortium.get("/staff")
            XCTAssertTrue(home.text.contains(#"href="/staff/audit""#))
            let exports = try await AuditEvent.query(on: trail.app.db).filter(\.$action == "audit.exported").count()
            XCTAssertEqual(exports, 4, "only the administrators' downloads happened")
        }
    }

    // MARK: The patron record's history

    func testThePatronRecordsHistoryUsesTheSharedActionWords() async throws {
        try await withTrail { trail in
            try await entry(trail.app, "reader.sign_in_failed", by: .anonymous(ipAddress: nil), subject: ("patron", trail.patron.id!.uuidString),
                            library: "TPML", at: trail.clock.now)
            let record = try await trail.admin.get("/staff/patrons/\(trail.patron.id!.uuidString)")
            XCTAssertEqual(record.status, .ok)
            for words in ["停權", "集體辦證發卡", "讀者登入失敗", "臨櫃開通"] {
                XCTAssertTrue(record.text.contains("<td>\(words)</td>"), "\(words) in the history")
            }
            XCTAssertFalse(record.text.contains("<td>reader.sign_in_failed</td>"))
            let english = try await trail.admin.get("/staff/patrons/\(trail.patron.id!.uuidString)?lang=en")
            XCTAssertTrue(english.text.contains("<td>Reader sign-in failed</td>"))
        }
    }
}
