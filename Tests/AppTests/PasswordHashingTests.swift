import Fluent
import Foundation
import NIOConcurrencyHelpers
import SIP2
import SQLKit
import XCTVapor
@testable import App

/// Issue #13 item 3: bcrypt on a bounded pool of its own (a full queue is answered 503 with `Retry-After`
/// before anything is counted), hashes of another cost replaced at the next successful sign-in, and SIP2's
/// repeated PINs answered from a cache that forgets them when the password changes.
final class PasswordHashingTests: XCTestCase {
    /// bcrypt that waits at a gate before each verification, so a test can hold checks on the pool.
    ///
    /// The wait runs on the hashing pool's own thread (`PasswordHashingPool.run`), never on an event loop
    /// or a cooperative thread, and it is bounded: a gate nobody opens lets the check through after
    /// `longestHold`. The app's shutdown joins the pool's threads, so a gate that could stay shut forever
    /// turned any failure inside the test into a hang of the whole suite (the "PostgreSQL hang" of #13).
    final class GatedPasswordHasher: PasswordHasher {
        private let gate = DispatchSemaphore(value: 0)
        private let started = NIOLockedValueBox(0)
        private let openForGood = NIOLockedValueBox(false)
        let longestHold: DispatchTimeInterval

        init(longestHold: DispatchTimeInterval = .seconds(10)) {
            self.longestHold = longestHold
        }

        var verificationsStarted: Int { started.withLockedValue { $0 } }

        /// Lets `count` verifications through.
        func open(_ count: Int) { for _ in 0..<count { gate.signal() } }

        /// Lets every verification through from now on, and those waiting now.
        func openForever() {
            openForGood.withLockedValue { $0 = true }
            open(started.withLockedValue { $0 } + 1)
        }

        func hash<Password: DataProtocol>(_ password: Password) throws -> [UInt8] {
            Array(try Bcrypt.hash(String(decoding: password, as: UTF8.self), cost: 10).utf8)
        }

        func verify<Password: DataProtocol, Digest: DataProtocol>(_ password: Password, created digest: Digest) throws -> Bool {
            started.withLockedValue { $0 += 1 }
            if !openForGood.withLockedValue({ $0 }) { _ = gate.wait(timeout: .now() + longestHold) }
            return try Bcrypt.verify(String(decoding: password, as: UTF8.self), created: String(decoding: digest, as: UTF8.self))
        }
    }

    func activeReader(_ app: Application) async throws -> Patron {
        try await activateCard(app, try await submitApplication(app))
    }

    func signIn(_ app: Application, _ identifier: String, _ password: String = "river lantern mango") async throws -> XCTHTTPResponse {
        try await Self.signIn(app, identifier, password)
    }

    static func signIn(_ app: Application, _ identifier: String, _ password: String) async throws -> XCTHTTPResponse {
        let browser = TestBrowser(app)
        try await browser.get("/login")
        return try await browser.post("/login", form: ["identifier": identifier, "password": password])
    }

    /// The attempts counted so far, over every bucket and window. PostgreSQL sums a BIGINT column into a
    /// NUMERIC, which does not decode as `Int`; the cast makes the total an integer on both databases.
    func counters(_ app: Application) async throws -> Int {
        let row = try await (app.db as! any SQLDatabase).raw("SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) AS total FROM rate_limit_counters").first()
        return try row?.decode(column: "total", as: Int.self) ?? 0
    }

    /// Waits (in real time, briefly) until `condition` holds.
    func eventually(_ condition: () async throws -> Bool) async throws {
        for _ in 0..<500 where !(try await condition()) { try await Task.sleep(for: .milliseconds(10)) }
    }

    func testSignInsBeyondTheHashingQueueAreAnswered503WithRetryAfterBeforeAnythingIsCounted() async throws {
        try await withTestApp(adjust: {
            $0.signInDelayUnit = 0.001
            $0.passwordHashThreads = 1
            $0.passwordHashQueueLimit = 1
        }) { app in
            let hasher = GatedPasswordHasher()
            app.passwords.use { _ in hasher }
            let patron = try await activeReader(app)
            // One check on the thread, one waiting: the pool's places (1 thread + queue 1) are taken.
            let card = patron.cardNumber!
            let first = Task { try await Self.signIn(app, card, "wrong password one").status }
            let second = Task { try await Self.signIn(app, card, "wrong password two").status }
            do {
                try await eventually { hasher.verificationsStarted == 1 && app.passwordHashingPool.placesTaken == 2 }
                XCTAssertEqual(app.passwordHashingPool.placesTaken, 2)
                // With every hashing place taken, the rest of the app (its database included) still answers.
                let health = try await app.testable().sendRequest(.GET, "/healthz")
                XCTAssertEqual(health.status, .ok)
                let countersBefore = try await counters(app)
                let auditBefore = try await AuditEvent.query(on: app.db).count()

                let busy = try await signIn(app, "1001000009999")
                XCTAssertEqual(busy.status, .serviceUnavailable)
                XCTAssertEqual(busy.headers.first(name: .retryAfter), "2")
                XCTAssertTrue(busy.text.contains("目前登入人數眾多，請稍候再試。"), busy.text)
                XCTAssertTrue(busy.text.contains(#"value="1001000009999""#), "what was typed is kept")
                let countersAfter = try await counters(app)
                let auditAfter = try await AuditEvent.query(on: app.db).count()
                XCTAssertEqual(countersAfter, countersBefore, "refused before any attempt is counted")
                XCTAssertEqual(auditAfter, auditBefore)
                let staffBrowser = TestBrowser(app)
                try await staffBrowser.get("/staff/login")
                let staffBusy = try await staffBrowser.post("/staff/login", form: ["email": "nobody@tpml.example", "password": "whatever it is"])
                XCTAssertEqual(staffBusy.status, .serviceUnavailable)
                XCTAssertEqual(staffBusy.headers.first(name: .retryAfter), "2")

                hasher.open(2)
                let answers = [try await first.value, try await second.value]
                XCTAssertEqual(answers, [.unauthorized, .unauthorized])
                XCTAssertEqual(app.passwordHashingPool.placesTaken, 0, "places are given back")
                hasher.open(1)
                let right = try await signIn(app, patron.cardNumber!)
                XCTAssertEqual(right.status, .seeOther, "with a place free, sign-in works again")
            } catch {
                // A failure must neither leave the pool's thread at the gate (the app's shutdown joins it) nor
                // shut the app down under the two sign-ins still in flight: open the gate and let them finish.
                hasher.openForever()
                _ = try? await first.value
                _ = try? await second.value
                throw error
            }
        }
    }

    /// Issue #13 item 3: with every hashing place taken, a sign-in is refused before it reads its account,
    /// so a flood of sign-ins costs the database only the session reads. The accounts' tables are moved away
    /// meanwhile: a sign-in that still looked its card or staff account up first would fail with 500.
    func testASignInRefusedForWantOfAHashingPlaceHasReadNoAccount() async throws {
        try await withTestApp(adjust: {
            $0.signInDelayUnit = 0.001
            $0.passwordHashThreads = 1
            $0.passwordHashQueueLimit = 0
        }) { app in
            let hasher = GatedPasswordHasher()
            app.passwords.use { _ in hasher }
            let card = try await activeReader(app).cardNumber!
            let sql = app.db as! any SQLDatabase
            let first = Task { try await Self.signIn(app, card, "wrong password one").status }
            var moved = false
            do {
                try await eventually { hasher.verificationsStarted == 1 && app.passwordHashingPool.placesTaken == 1 }
                let reader = TestBrowser(app)
                try await reader.get("/login")
                let staff = TestBrowser(app)
                try await staff.get("/staff/login")
                try await sql.raw("ALTER TABLE patrons RENAME TO patrons_moved_away").run()
                try await sql.raw("ALTER TABLE staff_members RENAME TO staff_members_moved_away").run()
                moved = true
                let busy = try await reader.post("/login", form: ["identifier": card, "password": "another wrong one"])
                let staffBusy = try await staff.post("/staff/login", form: ["email": "nobody@tpml.example", "password": "whatever it is"])
                try await sql.raw("ALTER TABLE patrons_moved_away RENAME TO patrons").run()
                try await sql.raw("ALTER TABLE staff_members_moved_away RENAME TO staff_members").run()
                moved = false
                XCTAssertEqual(busy.status, .serviceUnavailable, busy.text)
                XCTAssertEqual(busy.headers.first(name: .retryAfter), "2")
                XCTAssertEqual(staffBusy.status, .serviceUnavailable, staffBusy.text)

                hasher.open(1)
                let answer = try await first.value
                XCTAssertEqual(answer, .unauthorized)
                XCTAssertEqual(app.passwordHashingPool.placesTaken, 0, "places are given back")
            } catch {
                if moved {
                    try? await sql.raw("ALTER TABLE patrons_moved_away RENAME TO patrons").run()
                    try? await sql.raw("ALTER TABLE staff_members_moved_away RENAME TO staff_members").run()
                }
                hasher.openForever()
                _ = try? await first.value
                throw error
            }
        }
    }

    func testHashesOfAnotherCostAreReplacedAtTheNextSuccessfulSignInOnly() async throws {
        try await withTestApp(adjust: { $0.signInDelayUnit = 0.001 }) { app in
            XCTAssertEqual(app.settings.bcryptCost, 10)
            let patron = try await activeReader(app)
            let old = try Bcrypt.hash("river lantern mango", cost: 4)
            patron.passwordHash = old
            try await patron.save(on: app.db)

            let wrong = try await signIn(app, patron.cardNumber!, "not the password")
            XCTAssertEqual(wrong.status, .unauthorized)
            let unchanged = try await Patron.find(patron.id, on: app.db)
            XCTAssertEqual(unchanged?.passwordHash, old, "a wrong password changes nothing")

            let right = try await signIn(app, patron.cardNumber!)
            XCTAssertEqual(right.status, .seeOther)
            let upgradedFetched = try await Patron.find(patron.id, on: app.db)
            let upgraded = try XCTUnwrap(upgradedFetched?.passwordHash)
            XCTAssertTrue(upgraded.hasPrefix("$2b$10$"), upgraded)
            XCTAssertTrue(try Bcrypt.verify("river lantern mango", created: upgraded))
            let again = try await signIn(app, patron.cardNumber!)
            XCTAssertEqual(again.status, .seeOther, "the new hash signs in")

            // Staff sign-in does the same.
            let library = try await Library.require(code: "TPML", on: app.db)
            let staff = StaffMember(libraryID: try library.requireID(), email: "desk@tpml.example", role: .desk)
            staff.passwordHash = try Bcrypt.hash("staff password long enough", cost: 11)
            try await staff.create(on: app.db)
            let browser = TestBrowser(app)
            try await browser.get("/staff/login")
            let signedIn = try await browser.post("/staff/login", form: ["email": "desk@tpml.example", "password": "staff password long enough"])
            XCTAssertEqual(signedIn.status, .seeOther)
            let staffHashFetched = try await StaffMember.find(staff.id, on: app.db)
            let staffHash = try XCTUnwrap(staffHashFetched?.passwordHash)
            XCTAssertTrue(staffHash.hasPrefix("$2b$10$"), staffHash)
            XCTAssertTrue(try Bcrypt.verify("staff password long enough", created: staffHash))
        }
    }

    func status(_ client: SIP2Client, _ identifier: String, password: String, institution: String) async throws -> Bool? {
        let request = SIP2PatronStatusRequest(patronIdentifier: identifier, patronPassword: password, institution: institution)
        return try SIP2PatronStatusResponse(try await client.request(request.message)).validPatronPassword
    }

    func testSIP2UpgradesHashesAndAnswersRepeatedPINsFromACacheDroppedWhenThePasswordChanges() async throws {
        try await withTestApp(adjust: { $0.signInDelayUnit = 0.001 }) { app in
            let hasher = CountingPasswordHasher()
            app.passwords.use { _ in hasher }
            let patron = try await activeReader(app)
            patron.passwordHash = try Bcrypt.hash("river lantern mango", cost: 4)
            try await patron.save(on: app.db)
            let vendor = try await app.sip2Accounts.create(user: "vendor-tpml", libraryCode: "TPML", institution: nil, allowedAddresses: "",
                                                           encoding: "utf8", personalData: false, alternateIDs: false, errorDetection: true)
            let accountRecordFetched = try await SIP2AccountRecord.query(on: app.db).filter(\.$loginUser == "vendor-tpml").first()
            let accountRecord = try XCTUnwrap(accountRecordFetched)
            accountRecord.passwordHash = try Bcrypt.hash(vendor.password, cost: 4)
            try await accountRecord.save(on: app.db)

            let server = SIP2Server(configuration: .init(timeZone: .taipei), backend: SIP2Lifecycle.backend(for: app), eventLoopGroup: app.eventLoopGroup)
            let port = try await server.start(host: "127.0.0.1", port: 0)
            do {
                let client = try await SIP2Client.connect(host: "127.0.0.1", port: port, errorDetection: true)
                let loggedIn = try SIP2LoginResponse(try await client.request(SIP2LoginRequest(user: vendor.user, password: vendor.password).message)).ok
                XCTAssertTrue(loggedIn)
                let accountHashFetched = try await SIP2AccountRecord.find(accountRecord.id, on: app.db)
                let accountHash = try XCTUnwrap(accountHashFetched?.passwordHash)
                XCTAssertTrue(accountHash.hasPrefix("$2b$10$"), "the SIP2 account's hash is upgraded at its login: \(accountHash)")

                let card = patron.cardNumber!
                let first = try await status(client, card, password: "river lantern mango", institution: vendor.institution)
                XCTAssertEqual(first, true)
                let upgradedFetched = try await Patron.find(patron.id, on: app.db)
                let upgraded = try XCTUnwrap(upgradedFetched?.passwordHash)
                XCTAssertTrue(upgraded.hasPrefix("$2b$10$"), "the card's hash is upgraded at its first right PIN: \(upgraded)")
                let second = try await status(client, card, password: "river lantern mango", institution: vendor.institution)
                XCTAssertEqual(second, true)
                XCTAssertEqual(hasher.verifications(of: upgraded), 1, "verified once against the new hash, then remembered")
                for _ in 1...5 {
                    let again = try await status(client, card, password: "river lantern mango", institution: vendor.institution)
                    XCTAssertEqual(again, true)
                }
                XCTAssertEqual(hasher.verifications(of: upgraded), 1, "repeats are answered from the cache")
                let wrong = try await status(client, card, password: "not the pin", institution: vendor.institution)
                XCTAssertEqual(wrong, false)
                XCTAssertEqual(hasher.verifications(of: upgraded), 2, "a wrong PIN is never cached and always checked")

                // The reader changes the password on the account page: the old PIN is refused at once.
                let browser = TestBrowser(app)
                try await browser.get("/login")
                try await browser.post("/login", form: ["identifier": card, "password": "river lantern mango"])
                try await browser.get("/account/password")
                let changed = try await browser.post("/account/password", form: [
                    "currentPassword": "river lantern mango", "password": "quiet harbour lights", "passwordConfirmation": "quiet harbour lights"])
                XCTAssertEqual(changed.headers.first(name: .location), "/account?notice=password_changed")
                let old = try await status(client, card, password: "river lantern mango", institution: vendor.institution)
                XCTAssertEqual(old, false, "the cached PIN is dropped with the password it was verified against")
                let new = try await status(client, card, password: "quiet harbour lights", institution: vendor.institution)
                XCTAssertEqual(new, true)
                await client.close()
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
        }
    }

    func testTheCacheForgetsAPINAfterItsLifetime() {
        let cache = SIP2PasswordCache(lifetime: 60)
        let patron = UUID()
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        cache.insert(patron: patron, storedHash: "$2b$10$hash", pin: "1234", now: now)
        XCTAssertTrue(cache.contains(patron: patron, storedHash: "$2b$10$hash", pin: "1234", now: now.addingTimeInterval(59)))
        XCTAssertFalse(cache.contains(patron: patron, storedHash: "$2b$10$hash", pin: "1235", now: now))
        XCTAssertFalse(cache.contains(patron: UUID(), storedHash: "$2b$10$hash", pin: "1234", now: now))
        XCTAssertFalse(cache.contains(patron: patron, storedHash: "$2b$10$hash", pin: "1234", now: now.addingTimeInterval(61)))
        XCTAssertEqual(SIP2PasswordCache(lifetime: 3600).lifetime, 600, "never longer than 10 minutes")
    }
}
