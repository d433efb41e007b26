import Fluent
import Foundation
import Logging
import NIOConcurrencyHelpers
import SIP2
import SQLKit
import XCTVapor
@testable import App

/// OneCard's SIP2 backend behind the real SIP2 server, asked over TCP: accounts and card holders come
/// from the database, passwords are checked with bcrypt, and libraries see only their own readers.
final class SIP2IntegrationTests: XCTestCase {
    func activate(_ app: Application, _ patron: Patron, easyCard: String = "") async throws {
        try await activateCard(app, patron, easyCard: easyCard)
    }

    func account(_ app: Application, library: String, personalData: Bool, allow: String = "",
                 alternateIDs: Bool = true) async throws -> SIP2Accounts.Created {
        try await app.sip2Accounts.create(user: "vendor-\(library.lowercased())", libraryCode: library, institution: nil,
                                          allowedAddresses: allow, encoding: "utf8", personalData: personalData, alternateIDs: alternateIDs,
                                          errorDetection: true)
    }

    func status(_ client: SIP2Client, _ identifier: String, password: String? = nil, institution: String) async throws -> SIP2PatronStatusResponse {
        let request = SIP2PatronStatusRequest(patronIdentifier: identifier, patronPassword: password, institution: institution)
        return try SIP2PatronStatusResponse(try await client.request(request.message))
    }

    func login(_ client: SIP2Client, _ user: String, _ password: String) async throws -> Bool {
        try SIP2LoginResponse(try await client.request(SIP2LoginRequest(user: user, password: password).message)).ok
    }

    func testVendorsAuthenticateCardHoldersOfTheirLibraryByCardIDOrEasyCard() async throws {
        try await withTestApp(adjust: { $0.signInDelayUnit = 0.001 }) { app in
            let reader = try await submitApplication(app)
            try await activate(app, reader, easyCard: "1234567890123456")
            let other = try await submitApplication(app, idNumber: "F234567898", links: ["KLPL"])
            try await activate(app, other)
            let taipei = try await account(app, library: "TPML", personalData: true)
            let keelung = try await account(app, library: "KLPL", personalData: false, alternateIDs: false)

            let server = SIP2Server(configuration: .init(timeZone: .taipei), backend: SIP2Lifecycle.backend(for: app), eventLoopGroup: app.eventLoopGroup)
            let port = try await server.start(host: "127.0.0.1", port: 0)
            do {
                let client = try await SIP2Client.connect(host: "127.0.0.1", port: port, errorDetection: true)
                let refused = try await login(client, taipei.user, "wrong")
                XCTAssertFalse(refused)
                let loggedIn = try await login(client, taipei.user, taipei.password)
                XCTAssertTrue(loggedIn)

                let card = try await status(client, reader.cardNumber!, password: "river lantern mango", institution: taipei.institution)
                XCTAssertEqual(card.validPatron, true)
                XCTAssertEqual(card.validPatronPassword, true)
                XCTAssertEqual(card.personalName, "王小明")
                XCTAssertFalse(card.patronStatus.chargePrivilegesDenied)
                let byID = try await status(client, "a123456789", password: "wrong password", institution: taipei.institution)
                XCTAssertEqual(byID.validPatron, true)
                XCTAssertEqual(byID.validPatronPassword, false)
                let byEasyCard = try await status(client, "1234567890123456", institution: taipei.institution)
                XCTAssertEqual(byEasyCard.validPatron, true)
                XCTAssertNil(byEasyCard.validPatronPassword, "no password asked, no CQ")
                reader.cardKind = .digital
                try await reader.save(on: app.db)
                let digital = try await status(client, reader.cardNumber!, institution: taipei.institution)
                XCTAssertTrue(digital.patronStatus.chargePrivilegesDenied, "a digital-only card cannot borrow")
                XCTAssertEqual(digital.validPatron, true)
                let unknown = try await status(client, "1001000009999", password: "x", institution: taipei.institution)
                XCTAssertEqual(unknown.validPatron, false)
                XCTAssertNil(unknown.validPatronPassword)
                await client.close()

                // Keelung's vendor sees only readers who linked Keelung, and no personal data.
                let keelungClient = try await SIP2Client.connect(host: "127.0.0.1", port: port, errorDetection: true)
                let keelungIn = try await login(keelungClient, keelung.user, keelung.password)
                XCTAssertTrue(keelungIn)
                let notLinked = try await status(keelungClient, reader.cardNumber!, password: "river lantern mango", institution: keelung.institution)
                XCTAssertEqual(notLinked.validPatron, false, "not linked to Keelung: unknown there")
                let linked = try await status(keelungClient, other.cardNumber!, password: "river lantern mango", institution: keelung.institution)
                XCTAssertEqual(linked.validPatron, true)
                XCTAssertEqual(linked.validPatronPassword, true)
                XCTAssertEqual(linked.personalName, "", "no name for an account without personal-data rights")
                // Without --alternate-ids only card numbers are taken: the ID number of the same linked
                // reader is unknown, so a vendor cannot test whether an ID number holds a card.
                let byIDNumber = try await status(keelungClient, "F234567898", institution: keelung.institution)
                XCTAssertEqual(byIDNumber.validPatron, false)
                await keelungClient.close()
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
            let logins = try await AuditEvent.query(on: app.db).filter(\.$action == "sip2.signed_in").count()
            XCTAssertEqual(logins, 2)
        }
    }

    func testPasswordGuessingOverSIP2LocksTheCardLikeTheWebSignIn() async throws {
        try await withTestApp(adjust: { $0.signInDelayUnit = 0.001 }) { app in
            let reader = try await submitApplication(app)
            try await activate(app, reader)
            let vendor = try await account(app, library: "TPML", personalData: false)
            let server = SIP2Server(configuration: .init(timeZone: .taipei), backend: SIP2Lifecycle.backend(for: app), eventLoopGroup: app.eventLoopGroup)
            let port = try await server.start(host: "127.0.0.1", port: 0)
            do {
                let client = try await SIP2Client.connect(host: "127.0.0.1", port: port, errorDetection: true)
                _ = try await login(client, vendor.user, vendor.password)
                for _ in 1...SignInThrottle.lockAfter {
                    let guess = try await status(client, reader.cardNumber!, password: "guess", institution: vendor.institution)
                    XCTAssertEqual(guess.validPatronPassword, false)
                }
                let right = try await status(client, reader.cardNumber!, password: "river lantern mango", institution: vendor.institution)
                XCTAssertEqual(right.validPatronPassword, false, "locked after 10 failures, as on the web")
                await client.close()
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
        }
    }

    /// Issue #12: patron passwords (`AD`) sent at once over many connections reach the card's hash at
    /// most `lockAfter` times; then the card is locked for SIP2 and the web alike.
    func testPatronPasswordsSentAtOnceOverSIP2ReachTheHashAtMostTenTimes() async throws {
        try await withTestApp(adjust: { $0.signInDelayUnit = 0.001 }) { app in
            let hasher = CountingPasswordHasher()
            app.passwords.use { _ in hasher }
            let reader = try await submitApplication(app)
            try await activate(app, reader)
            let hash = try XCTUnwrap(reader.passwordHash)
            let vendor = try await account(app, library: "TPML", personalData: false)
            let server = SIP2Server(configuration: .init(timeZone: .taipei), backend: SIP2Lifecycle.backend(for: app), eventLoopGroup: app.eventLoopGroup)
            let port = try await server.start(host: "127.0.0.1", port: 0)
            var clients: [SIP2Client] = []
            do {
                for _ in 1...40 {
                    let client = try await SIP2Client.connect(host: "127.0.0.1", port: port, errorDetection: true)
                    clients.append(client)
                    let loggedIn = try await login(client, vendor.user, vendor.password)
                    XCTAssertTrue(loggedIn)
                }
                let answers = try await withThrowingTaskGroup(of: Bool?.self) { group in
                    for (index, client) in clients.enumerated() {
                        group.addTask {
                            let request = SIP2PatronStatusRequest(patronIdentifier: reader.cardNumber!, patronPassword: "guess \(index)",
                                                                  institution: vendor.institution)
                            return try SIP2PatronStatusResponse(try await client.request(request.message)).validPatronPassword
                        }
                    }
                    var all: [Bool?] = []
                    for try await answer in group { all.append(answer) }
                    return all
                }
                XCTAssertEqual(answers, Array(repeating: false, count: clients.count))
                XCTAssertEqual(hasher.verifications(of: hash), SignInThrottle.lockAfter)
                let right = try await status(clients[0], reader.cardNumber!, password: "river lantern mango", institution: vendor.institution)
                XCTAssertEqual(right.validPatronPassword, false, "locked")
                for client in clients { await client.close() }
            } catch {
                for client in clients { await client.close() }
                await server.stop()
                throw error
            }
            await server.stop()
        }
    }

    /// Issue #13 item 2: the 個人資料查閱紀錄 entries of SIP2 lookups are written in groups (`AuditBatchWriter`).
    /// Many connections asking at once each get their answer, and every answer's entry is there, once,
    /// with its account, card holder and library, when the answer arrives.
    func testConcurrentLookupsByAnAccountTrustedWithPersonalDataAreEachAuditedOnce() async throws {
        try await withTestApp(adjust: { $0.signInDelayUnit = 0.001 }) { app in
            let reader = try await submitApplication(app)
            try await activate(app, reader)
            let vendor = try await account(app, library: "TPML", personalData: true)
            let vendorID = try await SIP2AccountRecord.query(on: app.db).filter(\.$loginUser == vendor.user).first()?.requireID()
            let (server, port) = try await startServer(app)
            var clients: [SIP2Client] = []
            do {
                for _ in 1...20 {
                    let client = try await SIP2Client.connect(host: "127.0.0.1", port: port, errorDetection: true)
                    clients.append(client)
                    let loggedIn = try await login(client, vendor.user, vendor.password)
                    XCTAssertTrue(loggedIn)
                }
                let perClient = 5
                let card = reader.cardNumber!, institution = vendor.institution
                let answered = try await withThrowingTaskGroup(of: Int.self) { group in
                    for client in clients {
                        group.addTask {
                            var valid = 0
                            for _ in 1...perClient {
                                let request = SIP2PatronStatusRequest(patronIdentifier: card, patronPassword: nil, institution: institution)
                                let answer = try SIP2PatronStatusResponse(try await client.request(request.message))
                                if answer.validPatron == true { valid += 1 }
                            }
                            return valid
                        }
                    }
                    return try await group.reduce(0, +)
                }
                XCTAssertEqual(answered, clients.count * perClient)
                let entries = try await AuditEvent.query(on: app.db).filter(\.$action == "patron.sip2_lookup").all()
                XCTAssertEqual(entries.count, clients.count * perClient, "one entry per answer, each committed before its answer")
                XCTAssertEqual(Set(entries.map(\.subjectID)), [reader.id!.uuidString])
                XCTAssertEqual(Set(entries.map(\.actorID)), [vendorID?.uuidString])
                XCTAssertEqual(Set(entries.map(\.actorType)), ["sip2_account"])
                XCTAssertEqual(Set(entries.map(\.libraryID)), [reader.$library.id])
                XCTAssertEqual(Set(entries.compactMap(\.id)).count, entries.count)
                for client in clients { await client.close() }
            } catch {
                for client in clients { await client.close() }
                await server.stop()
                throw error
            }
            await server.stop()
        }
    }

    /// The stamp a SIP2 connection keeps of its account's password hash, and a web session's stored id,
    /// are SHA-256 in lower-case hex: the same text as before they were written without `String(format:)`,
    /// so connections and sessions made by a running server stay valid across the upgrade.
    func testCredentialStampsAndSessionHashesAreLowerCaseSHA256Hex() {
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        XCTAssertEqual(OneCardSIP2Backend.credentialStamp("abc"), abc)
        XCTAssertEqual(WebSessions.hash(SessionID(string: "abc")), abc)
    }

    /// The server with fast login throttling, so refused logins do not slow the test down.
    func startServer(_ app: Application) async throws -> (SIP2Server, Int) {
        var configuration = SIP2Server.Configuration(timeZone: .taipei)
        configuration.loginThrottle = .init(initialDelay: .milliseconds(1), maximumDelay: .milliseconds(5))
        let server = SIP2Server(configuration: configuration, backend: SIP2Lifecycle.backend(for: app), eventLoopGroup: app.eventLoopGroup)
        return (server, try await server.start(host: "127.0.0.1", port: 0))
    }

    /// True when the server closes the connection (EOF or a reset) instead of answering.
    func closedByServer(_ client: SIP2Client) async -> Bool {
        do { return try await client.receive() == nil } catch { return true }
    }

    func testAddressRulesDisablingAndRotationOverTCPWithRefusalsAudited() async throws {
        try await withTestApp { app in
            let lines = NIOLockedValueBox<[String]>([])
            app.logger = Logger(label: "capture") { label in
                OneCardLogHandler(label: label, level: .trace) { line in lines.withLockedValue { $0.append(line) } }
            }
            let reader = try await submitApplication(app)
            try await activate(app, reader)
            let elsewhere = try await app.sip2Accounts.create(
                user: "vendor-lan", libraryCode: "TPML", institution: nil, allowedAddresses: "10.0.0.0/8", encoding: "utf8",
                personalData: false, alternateIDs: false, errorDetection: true)
            let local = try await app.sip2Accounts.create(
                user: "vendor-local", libraryCode: "TPML", institution: nil, allowedAddresses: "127.0.0.1/32", encoding: "utf8",
                personalData: false, alternateIDs: false, errorDetection: true)
            let (server, port) = try await startServer(app)
            var passwordsSent = [elsewhere.password, local.password, "not-the-password"]
            do {
                // 127.0.0.1 is outside 10.0.0.0/8: refused with the right password; 127.0.0.1/32 lets it in.
                let client = try await SIP2Client.connect(host: "127.0.0.1", port: port, errorDetection: true)
                let outside = try await login(client, elsewhere.user, elsewhere.password)
                XCTAssertFalse(outside)
                let inside = try await login(client, local.user, local.password)
                XCTAssertTrue(inside)
                let answered = try await status(client, reader.cardNumber!, institution: local.institution)
                XCTAssertEqual(answered.validPatron, true)

                // Disabled while connected: the next patron request closes the connection, unanswered.
                try await app.sip2Accounts.setDisabled(true, user: local.user)
                try await client.send(SIP2PatronStatusRequest(patronIdentifier: reader.cardNumber!, institution: local.institution)
                    .message.encoded(errorDetection: true))
                let closed = await closedByServer(client)
                XCTAssertTrue(closed, "a disabled account's connection is no longer answered")
                await client.close()

                // ...and it can no longer log in; enabled again with a new password, only the new one works.
                let again = try await SIP2Client.connect(host: "127.0.0.1", port: port, errorDetection: true)
                let whileDisabled = try await login(again, local.user, local.password)
                XCTAssertFalse(whileDisabled)
                try await app.sip2Accounts.setDisabled(false, user: local.user)
                let rotated = try await app.sip2Accounts.rotatePassword(user: local.user)
                passwordsSent.append(rotated)
                XCTAssertNotEqual(rotated, local.password)
                let oldPassword = try await login(again, local.user, local.password)
                XCTAssertFalse(oldPassword)
                let unknown = try await login(again, "nobody", "not-the-password")
                XCTAssertFalse(unknown)
                let newPassword = try await login(again, local.user, rotated)
                XCTAssertTrue(newPassword)
                await again.close()
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()

            let refusals = try await AuditEvent.query(on: app.db).filter(\.$action == "sip2.sign_in_refused").sort(\.$occurredAt).all()
            let reasons = try refusals.map { event -> String in
                let details = try JSONDecoder().decode([String: String].self, from: Data((event.details ?? "{}").utf8))
                return details["reason"] ?? "?"
            }
            XCTAssertEqual(reasons.sorted(), ["address_not_allowed", "disabled", "unknown_user", "wrong_password"])
            for event in refusals {
                XCTAssertEqual(event.ipAddress, "127.0.0.1")
                for password in passwordsSent { XCTAssertFalse((event.details ?? "").contains(password), "no password in the trail") }
            }
            let unknownEntry = try XCTUnwrap(refusals.first { $0.details?.contains("unknown_user") == true })
            XCTAssertFalse(unknownEntry.details!.contains("nobody"), "an unknown login user is not recorded")
            let logged = lines.withLockedValue { $0 }.filter { $0.contains("sip2_login_refused") }
            XCTAssertEqual(logged.count, 4, "each refusal is logged with its reason")
            for reason in ["address_not_allowed", "disabled", "unknown_user", "wrong_password"] {
                XCTAssertTrue(logged.contains { $0.contains(reason) }, reason)
            }
            for line in logged {
                for password in passwordsSent { XCTAssertFalse(line.contains(password), "no password in the log") }
            }
            for action in ["sip2_account.disabled", "sip2_account.enabled", "sip2_account.password_rotated"] {
                let count = try await AuditEvent.query(on: app.db).filter(\.$action == action).count()
                XCTAssertEqual(count, 1, action)
            }
        }
    }

    /// Issue #13 item 2: the patron lookup is one statement that also reads the account's row, and
    /// nothing about the account is cached in the server. A change written by another process (the
    /// `sip2 account` commands run in their own; several instances share PostgreSQL) or a link withdrawn
    /// applies at the very next request: here they are written with plain SQL, past every service.
    func testAccountAndLinkChangesMadeOutsideTheServerApplyAtTheNextRequest() async throws {
        try await withTestApp { app in
            let reader = try await submitApplication(app, idNumber: "F234567898", links: ["KLPL"])
            try await activate(app, reader)
            let keelung = try await account(app, library: "KLPL", personalData: false)
            let (server, port) = try await startServer(app)
            do {
                let client = try await SIP2Client.connect(host: "127.0.0.1", port: port, errorDetection: true)
                let loggedIn = try await login(client, keelung.user, keelung.password)
                XCTAssertTrue(loggedIn)
                let linked = try await status(client, reader.cardNumber!, institution: keelung.institution)
                XCTAssertEqual(linked.validPatron, true, "linked to Keelung: seen there")
                let byID = try await status(client, "F234567898", institution: keelung.institution)
                XCTAssertEqual(byID.validPatron, true, "by ID number too, with --alternate-ids")

                let sql = app.db as! any SQLDatabase
                try await sql.raw("UPDATE partner_links SET status = 'withdrawn' WHERE patron_id = \(bind: reader.requireID())").run()
                let withdrawn = try await status(client, reader.cardNumber!, institution: keelung.institution)
                XCTAssertEqual(withdrawn.validPatron, false, "a withdrawn link hides the reader from Keelung at once")
                try await sql.raw("UPDATE partner_links SET status = 'active' WHERE patron_id = \(bind: reader.requireID())").run()
                let again = try await status(client, reader.cardNumber!, institution: keelung.institution)
                XCTAssertEqual(again.validPatron, true)

                try await sql.raw("UPDATE sip2_accounts SET disabled_at = \(bind: Date()) WHERE login_user = \(bind: keelung.user)").run()
                try await client.send(SIP2PatronStatusRequest(patronIdentifier: "not a card", institution: keelung.institution)
                    .message.encoded(errorDetection: true))
                let closed = await closedByServer(client)
                XCTAssertTrue(closed, "disabled by another process: the next request closes the connection, whatever it asks")
                await client.close()
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
        }
    }

    func testUpdatingAnAccountChecksEverythingFirstAndAuditsTheChange() async throws {
        try await withTestApp { app in
            let vendor = try await account(app, library: "TPML", personalData: false)
            var bad = SIP2Accounts.Changes()
            bad.allowedAddresses = "10.0.0.0/33"
            bad.encoding = "cp950"
            do {
                _ = try await app.sip2Accounts.update(user: vendor.user, bad)
                XCTFail("a bad CIDR block is refused")
            } catch {
                XCTAssertTrue(String(describing: error).contains("--allow"), "\(error)")
            }
            let unchanged = try await app.sip2Accounts.list().first { $0.user == vendor.user }
            XCTAssertEqual(unchanged?.encoding, "utf8", "nothing changed")

            var good = SIP2Accounts.Changes()
            good.allowedAddresses = "127.0.0.1/32"
            good.encoding = "cp950"
            good.errorDetection = false
            good.personalData = true
            let changed = try await app.sip2Accounts.update(user: vendor.user, good)
            XCTAssertEqual(changed, ["allow": "127.0.0.1/32", "encoding": "cp950", "error-detection": "false", "personal-data": "true"])
            let accounts = try await app.sip2Accounts.list()
            let listed = try XCTUnwrap(accounts.first { $0.user == vendor.user })
            XCTAssertEqual(listed.allowedAddresses, ["127.0.0.1/32"])
            XCTAssertEqual(listed.encoding, "cp950")
            XCTAssertFalse(listed.errorDetection)
            XCTAssertTrue(listed.personalData)
            let audited = try await AuditEvent.query(on: app.db).filter(\.$action == "sip2_account.updated").all()
            XCTAssertEqual(audited.count, 1)
            XCTAssertEqual(audited.first?.details.map { $0.contains("cp950") }, true)
            let account = try await SIP2Lifecycle.backend(for: app).login(
                user: vendor.user, password: vendor.password, location: nil, remoteAddress: "127.0.0.1")
            XCTAssertEqual(account?.encoding, .cp950)
            XCTAssertEqual(account?.errorDetection, false)
        }
    }

    /// A 93 whose checksum does not match, on an account with error detection on, gets 96 and leaves the
    /// connection logged out: no `sip2.signed_in` is written for it, only for the login that is taken.
    /// Logins refused while the user is locked out are audited as `locked_out`, without a password.
    func testA96LoginLeavesNoSignInAndLockedOutLoginsAreAudited() async throws {
        try await withTestApp { app in
            let vendor = try await account(app, library: "TPML", personalData: false)
            var configuration = SIP2Server.Configuration(timeZone: .taipei)
            configuration.loginThrottle = .init(maximumFailuresPerUser: 3, initialDelay: .milliseconds(1), maximumDelay: .milliseconds(5))
            let server = SIP2Server(configuration: configuration, backend: SIP2Lifecycle.backend(for: app), eventLoopGroup: app.eventLoopGroup)
            let port = try await server.start(host: "127.0.0.1", port: 0)
            let signIns = { try await AuditEvent.query(on: app.db).filter(\.$action == "sip2.signed_in").count() }
            do {
                let client = try await SIP2Client.connect(host: "127.0.0.1", port: port, errorDetection: true)
                var damaged = SIP2LoginRequest(user: vendor.user, password: vendor.password).message.encoded(errorDetection: true)
                let last = damaged.count - 2  // the last checksum digit, before CR
                damaged[last] = damaged[last] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
                try await client.send(damaged)
                let received = try await client.receive()
                let resend = try XCTUnwrap(received)
                XCTAssertTrue(String(decoding: resend, as: UTF8.self).hasPrefix("96"), "asked to resend")
                let afterResend = try await signIns()
                XCTAssertEqual(afterResend, 0, "a login answered with 96 was not taken")
                let taken = try await login(client, vendor.user, vendor.password)
                XCTAssertTrue(taken)
                let afterLogin = try await signIns()
                XCTAssertEqual(afterLogin, 1)

                for attempt in 1...3 {
                    let wrong = try await login(client, vendor.user, "guess-\(attempt)")
                    XCTAssertFalse(wrong)
                }
                let duringLockout = try await login(client, vendor.user, vendor.password)
                XCTAssertFalse(duringLockout, "locked out: even the right password is refused")
                await client.close()
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
            let refusals = try await AuditEvent.query(on: app.db).filter(\.$action == "sip2.sign_in_refused").sort(\.$occurredAt).all()
            let details = try refusals.map { try JSONDecoder().decode([String: String].self, from: Data(($0.details ?? "{}").utf8)) }
            XCTAssertEqual(details.map { $0["reason"] }, ["wrong_password", "wrong_password", "wrong_password", "locked_out"])
            let lockedOut = try XCTUnwrap(refusals.last)
            XCTAssertEqual(details.last?["user"], vendor.user, "the user names an account, so it is recorded")
            XCTAssertEqual(lockedOut.ipAddress, "127.0.0.1")
            XCTAssertEqual(lockedOut.actorType, "sip2_account")
            XCTAssertFalse((lockedOut.details ?? "").contains(vendor.password), "no password in the trail")
            let total = try await signIns()
            XCTAssertEqual(total, 1)
        }
    }

    /// Disabling an account closes its open connections at their next patron request; so does taking the
    /// client's address off the account's list or giving the account a new password. A change that still
    /// lets the connection in (a wider block, another setting) leaves it answered.
    func testChangingAnAccountsAddressesOrPasswordReChecksItsOpenConnections() async throws {
        try await withTestApp { app in
            let reader = try await submitApplication(app)
            try await activate(app, reader)
            let byAddress = try await account(app, library: "TPML", personalData: false, allow: "127.0.0.1/32")
            let byPassword = try await account(app, library: "NTPL", personalData: false)
            let (server, port) = try await startServer(app)
            do {
                let first = try await SIP2Client.connect(host: "127.0.0.1", port: port, errorDetection: true)
                let firstIn = try await login(first, byAddress.user, byAddress.password)
                XCTAssertTrue(firstIn)
                let second = try await SIP2Client.connect(host: "127.0.0.1", port: port, errorDetection: true)
                let secondIn = try await login(second, byPassword.user, byPassword.password)
                XCTAssertTrue(secondIn)

                var wider = SIP2Accounts.Changes()
                wider.allowedAddresses = "127.0.0.0/8"
                wider.encoding = "cp950"
                _ = try await app.sip2Accounts.update(user: byAddress.user, wider)
                let stillAnswered = try await status(first, reader.cardNumber!, institution: "TPML")
                XCTAssertEqual(stillAnswered.validPatron, true, "127.0.0.1 is still allowed: the connection stays")

                var elsewhere = SIP2Accounts.Changes()
                elsewhere.allowedAddresses = "10.0.0.0/8"
                _ = try await app.sip2Accounts.update(user: byAddress.user, elsewhere)
                try await first.send(SIP2PatronStatusRequest(patronIdentifier: reader.cardNumber!, institution: "TPML")
                    .message.encoded(errorDetection: true))
                let firstClosed = await closedByServer(first)
                XCTAssertTrue(firstClosed, "its address is no longer allowed: closed, unanswered")
                await first.close()

                _ = try await app.sip2Accounts.rotatePassword(user: byPassword.user)
                try await second.send(SIP2PatronStatusRequest(patronIdentifier: reader.cardNumber!, institution: "NTPL")
                    .message.encoded(errorDetection: true))
                let secondClosed = await closedByServer(second)
                XCTAssertTrue(secondClosed, "logged in with a password that is no longer the account's: closed")
                await second.close()
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
        }
    }

    func testAccountsBoundToAddressesRefuseOtherClients() async throws {
        try await withTestApp { app in
            let vendor = try await account(app, library: "TPML", personalData: false, allow: "10.0.0.0/8")
            let backend = SIP2Lifecycle.backend(for: app)
            let outside = try await backend.login(user: vendor.user, password: vendor.password, location: nil, remoteAddress: "192.168.1.5")
            XCTAssertNil(outside)
            let inside = try await backend.login(user: vendor.user, password: vendor.password, location: nil, remoteAddress: "10.20.30.40")
            XCTAssertEqual(inside?.user, vendor.user)
            XCTAssertTrue(AddressRule.allows("", address: nil))
            XCTAssertFalse(AddressRule.allows("10.0.0.1", address: nil))
            XCTAssertNil(AddressRule("10.0.0.0/33"))
        }
    }
}
