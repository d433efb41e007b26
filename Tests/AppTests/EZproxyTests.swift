import Fluent
import Foundation
import XCTVapor
@testable import App
import TestSubprocess

/// Issue #15 item 3: OneCard as EZproxy's login by CGI and ticket authentication. The tickets are checked by
/// `tests/ezproxy/ezproxy_standin.py`, written from OCLC's documentation (its header cites it), reading the
/// very user.txt lines `ezproxy host add` prints.
final class EZproxyTests: XCTestCase {
    static let password = "river lantern mango"
    static let destination = "https://www.airitilibrary.com/Search?q=圖書館 學&page=2"

    static var standIn: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("tests/ezproxy/ezproxy_standin.py").path
    }

    struct Verdict: Decodable {
        let accepted: Bool
        let reason: String?
        let user: String?
        let groups: [String]?
        let url: String?
    }

    /// What the stand-in EZproxy decides for `location`, at `now` (the app's clock).
    func ezproxy(_ userText: String, _ location: String, now: Date) async throws -> Verdict {
        let file = NSTemporaryDirectory() + "user-\(UUID().uuidString).txt"
        try userText.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let outcome = try await Subprocess.run(["python3", Self.standIn, "check", "--user-txt", file, "--now", String(Int(now.timeIntervalSince1970)), location])
        return try JSONDecoder().decode(Verdict.self, from: outcome.stdout)
    }

    func addHost(_ app: Application, name: String = "tpml", library: String = "TPML", algorithm: String = "sha512") async throws -> EZproxyHosts.Added {
        try await EZproxyHosts.add(name: name, libraryCode: library, loginURL: "https://ezproxy.\(name).example:2443", algorithm: algorithm,
                                   signInURL: { "https://onecard.example/ezproxy/\($0)/login" }, allowsPlainHTTP: false,
                                   database: app.db, vault: app.vault, now: app.clock.now())
    }

    func loginPath(_ host: String) -> String {
        "/ezproxy/\(host)/login?url=" + Self.destination.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
    }

    func testAReaderSignsInAndEZproxyAcceptsTheTicketWithEveryDigest() async throws {
        try await withTestApp { app in
            let patron = try await activateCard(app, try await submitApplication(app))
            for algorithm in ["md5", "sha1", "sha256", "sha512"] {
                let added = try await addHost(app, name: "tpml-\(algorithm)", algorithm: algorithm)
                XCTAssertTrue(added.userText.contains("\n\(algorithm.uppercased()) \(added.secret)\n"), added.userText)
                let browser = TestBrowser(app)
                let page = try await browser.get(loginPath(added.host.name))
                XCTAssertEqual(page.status, .ok)
                XCTAssertTrue(page.text.contains("臺北市立圖書館"), "the page names whose e-resources these are")
                let response = try await browser.post("/ezproxy/\(added.host.name)/login",
                                                      form: ["identifier": patron.cardNumber!, "password": Self.password, "url": Self.destination])
                XCTAssertEqual(response.status, .seeOther)
                let location = try XCTUnwrap(response.headers.first(name: .location))
                XCTAssertTrue(location.hasPrefix("https://ezproxy.\(added.host.name).example:2443/login?user="), location)
                XCTAssertEqual(response.headers.first(name: .cacheControl), "no-store")
                let verdict = try await ezproxy(added.userText, location, now: app.clock.now())
                XCTAssertTrue(verdict.accepted, "\(algorithm): \(verdict.reason ?? "")")
                XCTAssertEqual(verdict.groups, ["TPML-physical"], "the group is the card's library and kind")
                XCTAssertEqual(verdict.url, Self.destination, "EZproxy gets back the destination it sent")
                let user = try XCTUnwrap(verdict.user)
                XCTAssertEqual(user.count, 32)
                for identifying in [patron.cardNumber!, "A123456789", patron.id!.uuidString] { XCTAssertFalse(location.contains(identifying)) }

                // Signed in now: the next trip through EZproxy goes straight back, with the same user name.
                let again = try await browser.get(loginPath(added.host.name))
                XCTAssertEqual(again.status, .seeOther)
                let second = try await ezproxy(added.userText, try XCTUnwrap(again.headers.first(name: .location)), now: app.clock.now())
                XCTAssertEqual(second.user, user)
            }
            let issued = try await AuditEvent.query(on: app.db).filter(\.$action == "ezproxy.ticket_issued").count()
            XCTAssertEqual(issued, 8)
        }
    }

    func testTheUserNameIsPairwiseAndATamperedLateOrForeignTicketIsRefused() async throws {
        try await withTestApp { app in
            let patron = try await activateCard(app, try await submitApplication(app))
            let first = try await addHost(app, name: "first")
            let second = try await addHost(app, name: "second")
            let browser = TestBrowser(app)
            try await browser.get("/login")
            try await browser.post("/login", form: ["identifier": patron.cardNumber!, "password": Self.password])
            let toFirst = try await browser.get(loginPath("first"))
            let toSecond = try await browser.get(loginPath("second"))
            let one = try XCTUnwrap(toFirst.headers.first(name: .location))
            let two = try XCTUnwrap(toSecond.headers.first(name: .location))
            let verdictOne = try await ezproxy(first.userText, one, now: app.clock.now())
            let verdictTwo = try await ezproxy(second.userText, two, now: app.clock.now())
            let userOne = try XCTUnwrap(verdictOne.user)
            let userTwo = try XCTUnwrap(verdictTwo.user)
            XCTAssertNotEqual(userOne, userTwo, "two EZproxy hosts cannot join their logs")

            let otherUser = one.replacingOccurrences(of: "user=\(userOne)", with: "user=\(userTwo)")
            let otherUsersTicket = try await ezproxy(first.userText, otherUser, now: app.clock.now())
            XCTAssertEqual(otherUsersTicket.reason, "signature")
            let otherHostsSecret = try await ezproxy(second.userText, one, now: app.clock.now())
            XCTAssertEqual(otherHostsSecret.reason, "signature", "another host's secret")
            let late = app.clock.now().addingTimeInterval(TimeInterval(EZproxyLogin.ticketMinutes * 60 + 1))
            let lateTicket = try await ezproxy(first.userText, one, now: late)
            XCTAssertEqual(lateTicket.reason, "expired")
        }
    }

    func testNoTicketForASuspendedExpiredOrForeignCardAndTheSignInKeepsItsRules() async throws {
        try await withTestApp { app in
            let patron = try await activateCard(app, try await submitApplication(app))
            let taipei = try await addHost(app)
            let newTaipei = try await addHost(app, name: "ntpl", library: "NTPL")
            let browser = TestBrowser(app)
            try await browser.get(loginPath("tpml"))
            let wrong = try await browser.post("/ezproxy/tpml/login", form: ["identifier": patron.cardNumber!, "password": "wrong password!",
                                                                            "url": Self.destination])
            XCTAssertEqual(wrong.status, .unauthorized)
            XCTAssertTrue(wrong.text.contains("帳號或密碼不正確"), "the sign-in page's one message")
            XCTAssertNil(wrong.headers.first(name: .location))
            let failed = try await AuditEvent.query(on: app.db).filter(\.$action == "reader.sign_in_failed").count()
            XCTAssertEqual(failed, 1, "the reader sign-in, with its audit and lock")

            let signedIn = try await browser.post("/ezproxy/tpml/login", form: ["identifier": patron.cardNumber!, "password": Self.password,
                                                                               "url": Self.destination])
            XCTAssertEqual(signedIn.status, .seeOther)
            let foreign = try await browser.get(loginPath("ntpl"))
            XCTAssertEqual(foreign.status, .forbidden, "a Taipei card that did not link New Taipei is not New Taipei's to send")
            XCTAssertTrue(foreign.text.contains("一證通用"), foreign.text)
            _ = newTaipei

            patron.suspendedAt = app.clock.now()
            try await patron.save(on: app.db)
            let suspended = try await browser.get(loginPath("tpml"))
            XCTAssertEqual(suspended.status, .forbidden)
            XCTAssertTrue(suspended.text.contains("停權"))
            patron.suspendedAt = nil
            patron.cardValidUntil = "2020-01-31"
            try await patron.save(on: app.db)
            let expired = try await browser.get(loginPath("tpml") + "&lang=en")
            XCTAssertEqual(expired.status, .forbidden)
            XCTAssertTrue(expired.text.contains("Your library card has expired"), expired.text)
            XCTAssertNil(expired.headers.first(name: .location))
            let refused = try await AuditEvent.query(on: app.db).filter(\.$action == "ezproxy.refused").count()
            XCTAssertEqual(refused, 3)
            _ = taipei

            let unknown = try await browser.get(loginPath("nowhere"))
            XCTAssertEqual(unknown.status, .notFound)
        }
    }

    func testHostsAreCheckedWhenAddedAndTheirSecretsAreSealed() async throws {
        try await withTestApp { app in
            let added = try await addHost(app, name: "nlpi", library: "NLPI")
            XCTAssertTrue(added.userText.hasPrefix("::CGI=https://onecard.example/ezproxy/nlpi/login?url=^U\n::Ticket\n"), added.userText)
            XCTAssertTrue(added.userText.contains("AcceptGroups NLPI-physical+NLPI-digital"), added.userText)
            XCTAssertTrue(added.userText.contains("TimeValid 1\nSHA512 "))
            let row = try await EZproxyHost.query(on: app.db).first()
            XCTAssertFalse(try XCTUnwrap(row).secretSealed.contains(added.secret), "sealed at rest")
            for (name, url, algorithm) in [("nlpi", "https://other.example", "sha512"), ("Bad Name", "https://x.example", "sha512"),
                                           ("plain", "http://x.example", "sha512"), ("odd", "https://x.example", "crc32")] {
                do {
                    _ = try await EZproxyHosts.add(name: name, libraryCode: "NLPI", loginURL: url, algorithm: algorithm, signInURL: { $0 },
                                                   allowsPlainHTTP: false, database: app.db, vault: app.vault, now: app.clock.now())
                    XCTFail("\(name) \(url) \(algorithm) was accepted")
                } catch is CommandInputError {}
            }
            try await EZproxyHosts.remove(name: "nlpi", database: app.db, now: app.clock.now())
            let gone = try await TestBrowser(app).get(loginPath("nlpi"))
            XCTAssertEqual(gone.status, .notFound)
        }
    }
}
