import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import XCTVapor
@testable import App
import TestSubprocess

/// Issue #12 item 5: sign-in, 忘記密碼 and the group contact's link request must not tell who has an
/// account — not by their answer, not by their delay, not by what they write while the requester waits —
/// and one address may not walk through many identifiers.
final class SignInEnumerationTests: XCTestCase {
    /// Records the delays refused sign-ins wait, instead of sleeping them.
    final class PauseRecorder: Sendable {
        private let delays = NIOLockedValueBox<[TimeInterval]>([])
        var pause: SignInPause { SignInPause { [self] delay in delays.withLockedValue { $0.append(delay) } } }
        /// The delays recorded since the last call.
        func take() -> [TimeInterval] { delays.withLockedValue { taken in defer { taken = [] }; return taken } }
    }

    func signIn(_ app: Application, _ identifier: String, _ password: String) async throws -> XCTHTTPResponse {
        let browser = TestBrowser(app)
        try await browser.get("/login")
        return try await browser.post("/login", form: ["identifier": identifier, "password": password])
    }

    /// Before, only a real card had a bucket: its delay grew from the 4th failure while an unknown
    /// identifier answered at once, so timing told the two apart. Now both collect the same delays and the
    /// same lock, each attempt verifying exactly one bcrypt hash.
    func testAnUnknownIdentifierGetsTheSameDelaysAndLockAsARealCard() async throws {
        try await withTestApp(adjust: { $0.signInDelayUnit = 1 }) { app in
            let hasher = CountingPasswordHasher()
            app.passwords.use { _ in hasher }
            let recorder = PauseRecorder()
            app.signInPause = recorder.pause
            let patron = try await activateCard(app, try await submitApplication(app))
            let realHash = try XCTUnwrap(patron.passwordHash)
            let attempts = SignInThrottle.lockAfter + 2
            let expected = (1...attempts).map { SignInThrottle(database: app.db, now: app.clock.now(), delayUnit: 1).delay(afterAttempt: $0) }
            XCTAssertEqual(Array(expected.prefix(6)), [0, 0, 0, 1, 2, 4], "the curve itself grows")

            var answers: [String: [String]] = [:]
            var delays: [String: [TimeInterval]] = [:]
            var bcrypts: [String: Int] = [:]
            // A real card, an unknown card number, an unknown ID number, an unknown text.
            for identifier in [patron.cardNumber!, "1001000099998", nationalID(4242), "nobody-at-all"] {
                let before = hasher.verifications(of: realHash) + hasher.verifications(of: app.decoyPasswordHash)
                for _ in 1...attempts {
                    let response = try await signIn(app, identifier, "wrong password!")
                    XCTAssertEqual(response.status, .unauthorized)
                    answers[identifier, default: []].append(response.text.contains("帳號或密碼不正確，或嘗試次數過多") ? "refused" : "other")
                }
                delays[identifier] = recorder.take()
                bcrypts[identifier] = hasher.verifications(of: realHash) + hasher.verifications(of: app.decoyPasswordHash) - before
            }
            for (identifier, sequence) in delays {
                XCTAssertEqual(sequence, expected, "\(identifier) waits the same growing delays")
                XCTAssertEqual(bcrypts[identifier], attempts, "\(identifier): one bcrypt per attempt, no more, no less")
                XCTAssertEqual(answers[identifier], Array(repeating: "refused", count: attempts))
            }
            XCTAssertEqual(hasher.verifications(of: realHash), SignInThrottle.lockAfter, "the real card locked after the 10th")
            let failures = try await AuditEvent.query(on: app.db).filter(\.$action == "reader.sign_in_failed").count()
            XCTAssertEqual(failures, 4 * attempts, "every failure is audited, known or not")

            // The lock is the account's whichever identifier names it: the ID number finds it locked too.
            let byIDNumber = try await signIn(app, "A123456789", "river lantern mango")
            XCTAssertEqual(byIDNumber.status, .unauthorized)
            XCTAssertEqual(hasher.verifications(of: realHash), SignInThrottle.lockAfter, "not even tried while locked")
            // An unknown ID number typed another way (lower case) is the same identifier, with the same lock.
            _ = recorder.take()
            let typedAgain = try await signIn(app, nationalID(4242).lowercased(), "wrong password!")
            XCTAssertEqual(typedAgain.status, .unauthorized)
            XCTAssertEqual(recorder.take(), [expected.last!])
        }
    }

    func testAnUnknownStaffEmailGetsTheSameDelaysAsARealAccount() async throws {
        try await withTestApp(adjust: { $0.signInDelayUnit = 1 }) { app in
            let recorder = PauseRecorder()
            app.signInPause = recorder.pause
            _ = try await signedInStaff(app)
            var delays: [[TimeInterval]] = []
            for email in ["desk@tpml.example", "nobody@tpml.example"] {
                let browser = TestBrowser(app)
                try await browser.get("/staff/login")
                for _ in 1...(SignInThrottle.lockAfter + 1) {
                    let response = try await browser.post("/staff/login", form: ["email": email, "password": "wrong password!"])
                    XCTAssertEqual(response.status, .unauthorized)
                }
                delays.append(recorder.take())
            }
            XCTAssertEqual(delays[0].count, SignInThrottle.lockAfter + 1)
            XCTAssertEqual(delays[0], delays[1])
            XCTAssertEqual(delays[0].last, 16, "the lock's delay, for the unknown address too")
        }
    }

    // MARK: Per address

    /// 30 failed sign-ins from one address, each typing another identifier, and the 31st is refused
    /// before any password is tried — even the right one; another address is not.
    func testThe31stFailedSignInFromOneAddressIsRefusedWhateverIsTypedAndAnotherAddressIsNot() async throws {
        try await withTestApp(adjust: { $0.signInDelayUnit = 0.001 }) { app in
            let hasher = CountingPasswordHasher()
            app.passwords.use { _ in hasher }
            app.signInPause = SignInPause { _ in }
            let patron = try await activateCard(app, try await submitApplication(app))
            let server = try await LocalServer.start(app)
            do {
                let guesser = try await server.client(from: "127.0.0.1")
                var identifiers = (1...(AddressLimit.Door.readerSignIn.limit - 1)).map { nationalID($0, letter: "F") }
                identifiers.append(patron.cardNumber!)
                for identifier in identifiers {
                    let answer = try await guesser.post("/login", ["identifier": identifier, "password": "wrong password!"])
                    XCTAssertEqual(answer.status, 401, identifier)
                }
                let bcrypts = hasher.verifications(of: patron.passwordHash!) + hasher.verifications(of: app.decoyPasswordHash)
                XCTAssertEqual(bcrypts, AddressLimit.Door.readerSignIn.limit)

                let refused = try await guesser.post("/login", ["identifier": patron.cardNumber!, "password": "river lantern mango"])
                XCTAssertEqual(refused.status, 429)
                XCTAssertTrue(refused.body.contains("您的網路嘗試次數過多，請於 9 分鐘後再試。"), refused.body)
                XCTAssertEqual(refused.headers["retry-after"], "540")
                XCTAssertEqual(hasher.verifications(of: patron.passwordHash!) + hasher.verifications(of: app.decoyPasswordHash), bcrypts,
                               "refused before bcrypt")

                let neighbour = try await server.client(from: "127.0.0.2")
                let signedIn = try await neighbour.post("/login", ["identifier": patron.cardNumber!, "password": "river lantern mango"])
                XCTAssertEqual(signedIn.status, 303, "another address is not held to the first one's count")

                // 忘記密碼 counts every request per address: 20 an hour.
                let asker = try await server.client(from: "127.0.0.3")
                try await asker.get("/login/forgot")
                for index in 1...AddressLimit.Door.passwordReset.limit {
                    let asked = try await asker.post("/login/forgot", ["identifier": nationalID(index, letter: "F")])
                    XCTAssertEqual(asked.status, 200)
                }
                let tooMany = try await asker.post("/login/forgot", ["identifier": patron.cardNumber!])
                XCTAssertEqual(tooMany.status, 429)
                XCTAssertTrue(tooMany.body.contains("您的網路嘗試次數過多"))
                XCTAssertNotNil(tooMany.body.range(of: #"請於 [1-6]?[0-9] 分鐘後再試"#, options: .regularExpression),
                                "the page says in how many minutes: \(tooMany.body)")
                let queued = try await OutboxMessage.query(on: app.db).filter(\.$kind == .linkRequest).count()
                XCTAssertEqual(queued, AddressLimit.Door.passwordReset.limit, "the refused request queued nothing")
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
        }
    }

    /// Behind a reverse proxy every request comes from the proxy's address: with the proxy trusted, the
    /// address it forwards is counted instead, so one client's failures do not lock out everyone behind
    /// it; a client that is not the proxy cannot choose its address by writing the header.
    func testBehindATrustedProxyTheForwardedAddressIsCountedAndAForgedOneIsNot() async throws {
        try await withTestApp(adjust: { $0.signInDelayUnit = 0.001; $0.trustedProxies = ["127.0.0.1"] }) { app in
            app.signInPause = SignInPause { _ in }
            let patron = try await activateCard(app, try await submitApplication(app))
            let server = try await LocalServer.start(app)
            do {
                let guesser = try await server.client(from: "127.0.0.1", forwardedFor: "198.51.100.7")
                for index in 1...AddressLimit.Door.readerSignIn.limit {
                    let answer = try await guesser.post("/login", ["identifier": nationalID(index, letter: "F"), "password": "wrong password!"])
                    XCTAssertEqual(answer.status, 401)
                }
                let refused = try await guesser.post("/login", ["identifier": patron.cardNumber!, "password": "river lantern mango"])
                XCTAssertEqual(refused.status, 429, "the forwarded address used up its count")

                let neighbour = try await server.client(from: "127.0.0.1", forwardedFor: "198.51.100.8")
                let signedIn = try await neighbour.post("/login", ["identifier": patron.cardNumber!, "password": "river lantern mango"])
                XCTAssertEqual(signedIn.status, 303, "another client behind the same proxy is not held to it")

                // Not the proxy: the header is not read, and the peer's own address is counted.
                let forger = try await server.client(from: "127.0.0.2", forwardedFor: "198.51.100.9")
                let forged = try await forger.post("/login", ["identifier": nationalID(99, letter: "F"), "password": "wrong password!"])
                XCTAssertEqual(forged.status, 401)
                let sql = app.db as! any SQLDatabase
                let buckets = try await sql.raw("SELECT bucket FROM rate_limit_counters WHERE bucket LIKE 'signin:reader:ip:%' AND count > 0").all()
                    .map { try $0.decode(column: "bucket", as: String.self) }
                XCTAssertEqual(Set(buckets), ["signin:reader:ip:198.51.100.7", "signin:reader:ip:127.0.0.2"], "failures counted by address")
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
        }
    }

    // MARK: Link requests

    /// The rows of every table, by table.
    func rowCounts(_ app: Application) async throws -> [String: Int] {
        let sql = app.db as! any SQLDatabase
        let tables = try await sql.raw(
            TestDatabase.postgresURL == nil
                ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                : "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
        ).all().map { try $0.decode(column: "name", as: String.self) }
        var counts: [String: Int] = [:]
        for table in tables {
            counts[table] = try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()?.decode(column: "n", as: Int.self) ?? 0
        }
        return counts
    }

    /// How many rows each table gained or lost, for the tables that changed.
    func changes(from before: [String: Int], to after: [String: Int]) -> [String: Int] {
        after.reduce(into: [:]) { changed, table in
            let delta = table.value - (before[table.key] ?? 0)
            if delta != 0 { changed[table.key] = delta }
        }
    }

    /// Before, a known card's request created a token, an audit entry and an email while the requester
    /// waited, and an unknown one nothing (40 vs 80 ms). Now both queue one request; the worker answers it.
    func testForgotPasswordWritesTheSameForAKnownAndAnUnknownCardAndOnlyTheKnownGetsAnEmail() async throws {
        try await withTestApp { app in
            let patron = try await activateCard(app, try await submitApplication(app))
            let emailsBefore = try await OutboxMessage.query(on: app.db).filter(\.$kind == .email).count()
            var writes: [[String: Int]] = []
            var pages: [String] = []
            for identifier in [patron.cardNumber!, "1001000099998", "A123456789", nationalID(777)] {
                let browser = TestBrowser(app)
                try await browser.get("/login/forgot")
                let before = try await rowCounts(app)
                let response = try await browser.post("/login/forgot", form: ["identifier": identifier])
                XCTAssertEqual(response.status, .ok)
                pages.append(response.text.replacingOccurrences(of: #"value="[^"]*""#, with: "", options: .regularExpression))
                writes.append(changes(from: before, to: try await rowCounts(app)))
            }
            XCTAssertEqual(writes[0], ["outbox_messages": 1], "one queued request, nothing else")
            for other in writes.dropFirst() { XCTAssertEqual(other, writes[0]) }
            XCTAssertEqual(Set(pages).count, 1, "the same page")
            let queued = try await OutboxMessage.query(on: app.db).filter(\.$kind == .linkRequest).all()
            for row in queued {
                XCTAssertFalse(row.payload.contains(patron.cardNumber!) || row.payload.contains("A123456789"), "what was typed waits sealed")
            }
            let emailsWhileWaiting = try await OutboxMessage.query(on: app.db).filter(\.$kind == .email).count()
            XCTAssertEqual(emailsWhileWaiting, emailsBefore)

            try await answerLinkRequests(app)
            let emails = try await OutboxMessage.query(on: app.db).filter(\.$kind == .email).sort(\.$id).all()
            let resets = try emails.dropFirst(emailsBefore).map { try sentMail($0, app) }
            XCTAssertEqual(resets.map(\.to), [patron.email!, patron.email!], "the card number and the ID number name the reader; the others no one")
            let answered = try await OutboxMessage.query(on: app.db).filter(\.$kind == .linkRequest).all()
            XCTAssertEqual(answered.map(\.status), Array(repeating: .delivered, count: 4))
            XCTAssertTrue(answered.allSatisfy { $0.secretsSealed == nil }, "what was typed is gone once answered")
        }
    }

    func testTheContactLinkRequestWritesTheSameForAKnownAndAnUnknownAddress() async throws {
        try await withTestApp { app in
            _ = try await GroupFixtures.approved(app)
            let emailsBefore = try await OutboxMessage.query(on: app.db).filter(\.$kind == .email).count()
            var writes: [[String: Int]] = []
            for email in ["contact@school.example.edu.tw", "nobody@example.org"] {
                let browser = TestBrowser(app)
                try await browser.get("/group-application/contact")
                let before = try await rowCounts(app)
                let response = try await browser.post("/group-application/contact", form: ["email": email])
                XCTAssertEqual(response.status, .ok)
                writes.append(changes(from: before, to: try await rowCounts(app)))
            }
            XCTAssertEqual(writes[0], ["outbox_messages": 1])
            XCTAssertEqual(writes[1], writes[0])
            try await answerLinkRequests(app)
            let sent = try await outboxMails(app).dropFirst(emailsBefore).map(\.to)
            XCTAssertEqual(sent, ["contact@school.example.edu.tw"])
        }
    }
}

/// The app served on a loopback port, for real clients (curl) that connect from chosen loopback
/// addresses (127.0.0.2, …: Linux routes all of 127/8 to the loopback interface).
struct LocalServer {
    let app: Application
    let port: Int

    static func start(_ app: Application) async throws -> LocalServer {
        app.http.server.configuration.hostname = "127.0.0.1"
        app.http.server.configuration.port = 0
        try await app.asyncBoot()
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        return LocalServer(app: app, port: app.http.server.shared.localAddress!.port!)
    }

    func stop() async { await app.server.shutdown() }

    /// A browser with its own cookie jar, connecting from `source`, that has opened the sign-in page.
    func client(from source: String, forwardedFor: String? = nil) async throws -> CurlClient {
        let client = CurlClient(base: "http://127.0.0.1:\(port)", source: source,
                                jar: NSTemporaryDirectory() + "onecard-curl-\(UUID().uuidString).txt",
                                headers: forwardedFor.map { ["X-Forwarded-For: \($0)"] } ?? [])
        try await client.get("/login")
        return client
    }
}

/// curl with a cookie jar, keeping the last page's CSRF token as a browser's form would.
final class CurlClient {
    struct Answer {
        var status: Int
        var body: String
        var headers: [String: String]
    }

    let base: String
    let source: String
    let jar: String
    /// Sent with every request ("Name: value").
    let headers: [String]
    private var csrf: String?

    init(base: String, source: String, jar: String, headers: [String] = []) {
        self.base = base
        self.source = source
        self.jar = jar
        self.headers = headers
    }

    @discardableResult
    func get(_ path: String) async throws -> Answer {
        try await run([base + path])
    }

    @discardableResult
    func post(_ path: String, _ form: [String: String]) async throws -> Answer {
        var fields = form
        fields["_csrf"] = csrf
        return try await run(fields.sorted { $0.key < $1.key }.flatMap { ["--data-urlencode", "\($0.key)=\($0.value)"] } + [base + path])
    }

    /// curl runs while the app under test answers it in this same process: waiting for curl on a cooperative
    /// thread would take one of the two threads the app needs to answer.
    private func run(_ arguments: [String]) async throws -> Answer {
        let headerFile = jar + ".headers"
        let outcome = try await Subprocess.run(["-s", "--interface", source, "-b", jar, "-c", jar, "-D", headerFile, "-w", "\n%{http_code}"]
                                               + headers.flatMap { ["-H", $0] } + arguments, executable: "/usr/bin/curl")
        var text = outcome.stdoutText
        let statusLine = text.split(separator: "\n").last.map(String.init) ?? ""
        text = String(text.dropLast(statusLine.count + 1))
        var headers: [String: String] = [:]
        for line in (try? String(contentsOfFile: headerFile, encoding: .utf8))?.split(separator: "\r\n") ?? [] {
            let pair = line.split(separator: ":", maxSplits: 1)
            if pair.count == 2 { headers[pair[0].lowercased()] = pair[1].trimmingCharacters(in: .whitespaces) }
        }
        if let token = TestBrowser.csrfToken(in: text) { csrf = token }
        return Answer(status: Int(statusLine) ?? 0, body: text, headers: headers)
    }
}
