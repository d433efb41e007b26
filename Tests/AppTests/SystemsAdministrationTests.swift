import Fluent
import Foundation
import TestSubprocess
import NIOConcurrencyHelpers
import SIP2
import XCTVapor
@testable import App

/// Partner systems, API clients and SIP2 accounts from the back office (issue #14 item 6): each action and
/// each validation over HTTP, the roles on every route, and the systems made on the web used by real clients
/// (an HTTP client with the API token, PyPI `sip2` with the SIP2 password, a partner's webhook receiver).
final class SystemsAdministrationTests: XCTestCase {
    /// The one-time secret a page shows in `<code class="break" id="…">…</code>`.
    func shown(_ id: String, in html: String) -> String? {
        guard let start = html.range(of: "id=\"\(id)\">") else { return nil }
        let rest = html[start.upperBound...]
        return rest.range(of: "</code>").map { String(rest[..<$0.lowerBound]) }
    }

    func auditEvents(_ app: Application, _ action: String) async throws -> [AuditEvent] {
        try await AuditEvent.query(on: app.db).filter(\.$action == action).all()
    }

    /// Every audit row written so far, as text, to check that no secret ever reached the trail.
    func auditText(_ app: Application) async throws -> String {
        try await AuditEvent.query(on: app.db).all().map { "\($0.action) \($0.subjectID ?? "") \($0.details ?? "")" }.joined(separator: "\n")
    }

    // MARK: - Roles

    func testEveryRouteRefusesOtherRolesAndHidesOtherLibrariesSystems() async throws {
        try await withTestApp { app in
            _ = try await PartnerEndpoints.configure(libraryCode: "NTPL", url: "https://ils.ntpl.example/hooks", allowsPlainHTTP: false,
                                                     database: app.db, vault: app.vault, now: app.clock.now())
            _ = try await APIClients.create(name: "NTPL ILS", libraryCode: "NTPL", scopes: [.partnerLookup], database: app.db, now: app.clock.now())
            let client = try await XCTUnwrapAsync(try await APIClient.query(on: app.db).first())
            let account = try await app.sip2Accounts.create(user: "ntpl-selfcheck", libraryCode: "NTPL", institution: nil,
                                                            allowedAddresses: "any", encoding: "utf8", personalData: false,
                                                            alternateIDs: false, errorDetection: true)
            let record = try await XCTUnwrapAsync(try await SIP2AccountRecord.query(on: app.db).filter(\.$loginUser == account.user).first())
            let clientPath = "/staff/api-clients/\(client.id!)", accountPath = "/staff/sip2-accounts/\(record.id!)"
            let pages = ["/staff/partner-systems", "/staff/partner-systems/NTPL", "/staff/api-clients", clientPath, "/staff/sip2-accounts", accountPath]
            let forms: [(String, [String: String])] = [
                ("/staff/partner-systems/NTPL", ["url": "https://evil.example/hooks"]),
                ("/staff/partner-systems/NTPL/secret", [:]), ("/staff/partner-systems/NTPL/test", [:]),
                ("/staff/api-clients", ["name": "Sneaky", "library": "NTPL", "scopes[]": "partner-lookup", "allow": "any"]),
                (clientPath, ["scopes[]": "card-applications", "allow": "any"]), (clientPath + "/token", [:]), (clientPath + "/disable", [:]),
                ("/staff/sip2-accounts", ["user": "sneaky", "library": "NTPL", "allow": "any", "encoding": "utf8"]),
                (accountPath, ["allow": "any", "encoding": "cp950"]), (accountPath + "/password", [:]), (accountPath + "/disable", [:]),
                (accountPath + "/enable", [:]),
            ]

            for role in ["desk", "reviewer"] {
                let staff = try await signedInStaff(app, role: role, email: "\(role)@tpml.example")
                // A page with a form (sign-out) gives the session's CSRF token, so the refusals below are the role's.
                try await staff.get("/staff")
                for page in pages {
                    let status = try await staff.get(page).status
                    XCTAssertEqual(status, .forbidden, "\(role) GET \(page)")
                }
                for (path, form) in forms {
                    let refused = try await staff.post(path, form: form)
                    XCTAssertEqual(refused.status, .forbidden, "\(role) POST \(path)")
                    XCTAssertTrue(refused.text.contains(app.localizer.text(OneCardError.staffRoleRequired.messageKey, .zhTW)),
                                  "refused for the role, not the form's token: \(path)")
                }
                let home = try await staff.get("/staff")
                XCTAssertFalse(home.text.contains("/staff/partner-systems"), "\(role) is offered no room that refuses them")
            }

            // A library administrator: their own library's systems only; another library's are "not found".
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let home = try await admin.get("/staff")
            XCTAssertTrue(home.text.contains("href=\"/staff/partner-systems\""), "one room in the navigation")
            let systems = try await admin.get("/staff/partner-systems")
            XCTAssertTrue(systems.text.contains("href=\"/staff/api-clients\"") && systems.text.contains("href=\"/staff/sip2-accounts\""),
                          "the room's own links")
            for page in ["/staff/partner-systems", "/staff/api-clients", "/staff/sip2-accounts"] {
                let listed = try await admin.get(page)
                XCTAssertEqual(listed.status, .ok, page)
                XCTAssertFalse(listed.text.contains("NTPL ILS") || listed.text.contains("ntpl-selfcheck")
                               || listed.text.contains("/staff/partner-systems/NTPL"), page)
            }
            for page in ["/staff/partner-systems/NTPL", clientPath, accountPath] {
                let status = try await admin.get(page).status
                XCTAssertEqual(status, .notFound, "admin of TPML GET \(page)")
            }
            for (path, form) in forms where path != "/staff/api-clients" && path != "/staff/sip2-accounts" {
                let status = try await admin.post(path, form: form).status
                XCTAssertEqual(status, .notFound, "admin of TPML POST \(path)")
            }
            // Nothing of NTPL's changed.
            let endpoint = try await XCTUnwrapAsync(try await PartnerEndpoint.query(on: app.db).first())
            XCTAssertEqual(endpoint.url, "https://ils.ntpl.example/hooks")
            let clientAfter = try await XCTUnwrapAsync(try await APIClient.find(client.id, on: app.db))
            XCTAssertNil(clientAfter.revokedAt)
            XCTAssertEqual(clientAfter.tokenHash, client.tokenHash)
            XCTAssertEqual(clientAfter.scopes, [.partnerLookup])
            let recordAfter = try await XCTUnwrapAsync(try await SIP2AccountRecord.find(record.id, on: app.db))
            XCTAssertNil(recordAfter.disabledAt)
            XCTAssertEqual(recordAfter.passwordHash, record.passwordHash)
            XCTAssertEqual(recordAfter.encoding, "utf8")
            let pings = try await PartnerPingCount.of(app)
            XCTAssertEqual(pings, 0)

            // Their own creations are their library's, whatever library the form names.
            let created = try await admin.post("/staff/api-clients", form: ["name": "Kiosk", "library": "NTPL", "scopes[]": "card-applications",
                                                                            "allow": "any"])
            XCTAssertEqual(created.status, .created)
            let kiosk = try await XCTUnwrapAsync(try await APIClient.query(on: app.db).filter(\.$name == "Kiosk").with(\.$library).first())
            XCTAssertEqual(kiosk.library.code, "TPML")
            let sip2 = try await admin.post("/staff/sip2-accounts", form: ["user": "tpml-selfcheck", "library": "NTPL", "allow": "any",
                                                                           "encoding": "utf8"])
            XCTAssertEqual(sip2.status, .created)
            let tpmlAccount = try await XCTUnwrapAsync(try await SIP2AccountRecord.query(on: app.db).filter(\.$loginUser == "tpml-selfcheck")
                .with(\.$library).first())
            XCTAssertEqual(tpmlAccount.library.code, "TPML")

            // The consortium administrator: every library's.
            let consortium = try await signedInStaff(app, role: "consortium_admin", library: "NLPI", email: "systems@nlpi.example")
            for page in pages {
                let listed = try await consortium.get(page)
                XCTAssertEqual(listed.status, .ok, "consortium GET \(page)")
            }
            let everyClient = try await consortium.get("/staff/api-clients")
            XCTAssertTrue(everyClient.text.contains("NTPL ILS") && everyClient.text.contains("Kiosk"))
            let forNTPL = try await consortium.post("/staff/sip2-accounts", form: ["user": "ntpl-ils", "library": "NTPL", "allow": "any",
                                                                                   "encoding": "utf8"])
            XCTAssertEqual(forNTPL.status, .created)
            let ntplAccount = try await XCTUnwrapAsync(try await SIP2AccountRecord.query(on: app.db).filter(\.$loginUser == "ntpl-ils")
                .with(\.$library).first())
            XCTAssertEqual(ntplAccount.library.code, "NTPL")
            let unknown = try await consortium.post("/staff/sip2-accounts", form: ["user": "nowhere", "library": "XX", "allow": "any",
                                                                                   "encoding": "utf8"])
            XCTAssertEqual(unknown.status, .unprocessableEntity)
            XCTAssertTrue(unknown.text.contains("XX"), "the message names the unknown library")
        }
    }

    // MARK: - API clients

    func testAnAPIClientMadeOnTheWebCallsTheAPIWithItsTokenFromItsAllowedAddressesOnly() async throws {
        try await withTestApp { app in
            let reader = try await activateCard(app, try await submitApplication(app))
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            try await admin.get("/staff/api-clients")

            // Refusals keep what was typed, name the bad entry, and write nothing.
            let noName = try await admin.post("/staff/api-clients", form: ["name": " ", "scopes[]": "partner-lookup", "allow": "127.0.0.1"])
            XCTAssertEqual(noName.status, .unprocessableEntity)
            XCTAssertTrue(noName.text.contains(app.localizer.text("systems.error.name_required", .zhTW)))
            XCTAssertTrue(noName.text.contains("value=\"127.0.0.1\""), "the addresses typed are kept")
            let badAddress = try await admin.post("/staff/api-clients", form: ["name": "Main kiosk", "scopes[]": "partner-lookup",
                                                                              "allow": "127.0.0.1, 10.0.0.0/33"])
            XCTAssertEqual(badAddress.status, .unprocessableEntity)
            XCTAssertTrue(badAddress.text.contains(app.localizer.text("systems.error.address_invalid", .zhTW, ["entry": "10.0.0.0/33"])),
                          badAddress.text)
            XCTAssertTrue(badAddress.text.contains("value=\"Main kiosk\""))
            let blankAddress = try await admin.post("/staff/api-clients", form: ["name": "Main kiosk", "scopes[]": "partner-lookup", "allow": ""])
            XCTAssertEqual(blankAddress.status, .unprocessableEntity)
            XCTAssertTrue(blankAddress.text.contains(app.localizer.text("systems.error.address_required", .zhTW)))
            let noScope = try await admin.post("/staff/api-clients", form: ["name": "Main kiosk", "allow": "127.0.0.1"])
            XCTAssertEqual(noScope.status, .unprocessableEntity)
            XCTAssertTrue(noScope.text.contains(app.localizer.text("systems.error.scope_required", .zhTW)))
            let unknownScope = try await admin.post("/staff/api-clients", form: ["name": "Main kiosk", "scopes[]": "everything", "allow": "any"])
            XCTAssertEqual(unknownScope.status, .unprocessableEntity)
            let none = try await APIClient.query(on: app.db).count()
            XCTAssertEqual(none, 0)

            let created = try await admin.post("/staff/api-clients", form: ["name": "Main kiosk", "scopes[]": "partner-lookup",
                                                                           "allow": "127.0.0.1/32"])
            XCTAssertEqual(created.status, .created)
            XCTAssertEqual(created.headers.first(name: .cacheControl), "no-store")
            let token = try XCTUnwrap(shown("new-token", in: created.text))
            let client = try await XCTUnwrapAsync(try await APIClient.query(on: app.db).with(\.$library).first())
            XCTAssertEqual(client.tokenHash, OneTimeToken.hash(token), "only the token's hash is kept")
            XCTAssertEqual(client.library.code, "TPML")
            XCTAssertEqual(client.allowedAddresses, "127.0.0.1/32")
            let again = try await admin.get("/staff/api-clients")
            XCTAssertFalse(again.text.contains(token), "the token is shown once")
            XCTAssertTrue(again.text.contains("Main kiosk"))
            let createdAudit = try await auditEvents(app, "api_client.created")
            XCTAssertEqual(createdAudit.first?.actorType, "staff")
            XCTAssertEqual(createdAudit.first?.subjectID, client.id!.uuidString)

            // The token at the API, over TCP from 127.0.0.1.
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            let port = app.http.server.shared.localAddress!.port!
            func lookUp(_ token: String) async throws -> ClientResponse {
                var headers = HTTPHeaders()
                headers.bearerAuthorization = .init(token: token)
                return try await app.client.get(URI(string: "http://127.0.0.1:\(port)/api/v1/partners/TPML/patrons/\(reader.cardNumber!)"),
                                                headers: headers)
            }
            do {
                let answered = try await lookUp(token)
                XCTAssertEqual(answered.status, .ok)
                XCTAssertEqual(try answered.content.decode(PartnerPatronDTO.self).cardNumber, reader.cardNumber)

                // Bound elsewhere: refused from 127.0.0.1.
                let page = "/staff/api-clients/\(client.id!)"
                try await admin.get(page)
                let moved = try await admin.post(page, form: ["scopes[]": "partner-lookup", "allow": "10.0.0.0/8"])
                XCTAssertEqual(moved.status, .ok)
                let refused = try await lookUp(token)
                XCTAssertEqual(refused.status, .forbidden)
                XCTAssertTrue(refused.body.map { String(buffer: $0) }?.contains("address_not_allowed") ?? false)

                // A bad entry is named, and nothing changes.
                let bad = try await admin.post(page, form: ["scopes[]": "partner-lookup", "allow": "10.0.0.0/8\n300.1.2.3"])
                XCTAssertEqual(bad.status, .unprocessableEntity)
                XCTAssertTrue(bad.text.contains(app.localizer.text("systems.error.address_invalid", .zhTW, ["entry": "300.1.2.3"])))
                let noScopes = try await admin.post(page, form: ["allow": "127.0.0.1"])
                XCTAssertEqual(noScopes.status, .unprocessableEntity)
                let unchanged = try await XCTUnwrapAsync(try await APIClient.find(client.id, on: app.db))
                XCTAssertEqual(unchanged.allowedAddresses, "10.0.0.0/8")
                XCTAssertEqual(unchanged.scopes, [.partnerLookup])

                // Scopes and options change; back on 127.0.0.1.
                let back = try await admin.post(page, form: ["scopes[]": "partner-lookup", "alternateIdentifiers": "yes", "allow": "127.0.0.1"])
                XCTAssertEqual(back.status, .ok)
                let changed = try await XCTUnwrapAsync(try await APIClient.find(client.id, on: app.db))
                XCTAssertTrue(changed.acceptsAlternateIdentifiers)
                let answeredAgain = try await lookUp(token)
                XCTAssertEqual(answeredAgain.status, .ok)

                // A new token: shown once; the old one stops at once.
                let rotated = try await admin.post(page + "/token", form: [:])
                XCTAssertEqual(rotated.status, .ok)
                let newToken = try XCTUnwrap(shown("new-token", in: rotated.text))
                XCTAssertNotEqual(newToken, token)
                let old = try await lookUp(token)
                XCTAssertEqual(old.status, .unauthorized)
                let new = try await lookUp(newToken)
                XCTAssertEqual(new.status, .ok)
                let shownAgain = try await admin.get(page)
                XCTAssertFalse(shownAgain.text.contains(newToken))

                // Disabled: refused from its next request.
                let disabled = try await admin.post(page + "/disable", form: [:])
                XCTAssertEqual(disabled.status, .ok)
                let afterDisable = try await lookUp(newToken)
                XCTAssertEqual(afterDisable.status, .unauthorized)
            } catch {
                await app.server.shutdown()
                throw error
            }
            await app.server.shutdown()

            for action in ["api_client.created", "api_client.updated", "api_client.token_rotated", "api_client.disabled"] {
                let events = try await auditEvents(app, action)
                XCTAssertFalse(events.isEmpty, action)
                XCTAssertTrue(events.allSatisfy { $0.actorType == "staff" }, action)
            }
            let trail = try await auditText(app)
            XCTAssertFalse(trail.contains(token) || trail.contains(OneTimeToken.hash(token)), "no token in the audit trail")
        }
    }

    // MARK: - Partner systems

    func testAPartnerSystemsURLSecretAndTestDeliveryFromTheWeb() async throws {
        let receiver = try await PartnerReceiver.start()
        do {
            try await withTestApp { app in
                let admin = try await signedInStaff(app, role: "admin", library: "NTPL", email: "admin@ntpl.example")
                let page = try await admin.get("/staff/partner-systems/NTPL")
                XCTAssertEqual(page.status, .ok)
                XCTAssertTrue(page.text.contains("href=\"/staff/deliveries\""), "the delivery log is linked")
                XCTAssertFalse(page.text.contains("/staff/partner-systems/NTPL/test"), "nothing to test before a URL is set")

                for bad in ["ftp://ils.ntpl.example/hooks", "ils.ntpl.example/hooks", "https://user:pw@ils.ntpl.example/hooks", ""] {
                    let refused = try await admin.post("/staff/partner-systems/NTPL", form: ["url": bad])
                    XCTAssertEqual(refused.status, .unprocessableEntity, bad)
                    XCTAssertTrue(refused.text.contains(app.localizer.text("systems.error.webhook_url_invalid", .zhTW)), bad)
                }
                let none = try await PartnerEndpoint.query(on: app.db).count()
                XCTAssertEqual(none, 0)
                XCTAssertThrowsError(try PartnerEndpoints.checkedURL("http://ils.ntpl.example/hooks", allowsPlainHTTP: false),
                                     "production accepts https only")

                let saved = try await admin.post("/staff/partner-systems/NTPL", form: ["url": receiver.url])
                XCTAssertEqual(saved.status, .ok)
                XCTAssertEqual(saved.headers.first(name: .cacheControl), "no-store")
                let secret = try XCTUnwrap(shown("new-secret", in: saved.text), "a new endpoint's first secret is shown")
                receiver.secret.withLockedValue { $0 = secret }
                let endpoint = try await XCTUnwrapAsync(try await PartnerEndpoint.query(on: app.db).first())
                XCTAssertEqual(endpoint.url, receiver.url)
                XCTAssertFalse(endpoint.secretSealed.contains(secret), "stored sealed")
                let reread = try await admin.get("/staff/partner-systems/NTPL")
                XCTAssertFalse(reread.text.contains(secret), "shown once")

                let tested = try await admin.post("/staff/partner-systems/NTPL/test", form: [:])
                XCTAssertEqual(tested.status, .ok)
                XCTAssertTrue(tested.text.contains(app.localizer.text("systems.partners.test_delivered", .zhTW)), tested.text)
                XCTAssertEqual(receiver.pings.map(\.partner), ["NTPL"])
                XCTAssertEqual(receiver.badSignatures, 0)
                let ping = try await XCTUnwrapAsync(try await OutboxMessage.query(on: app.db).filter(\.$kind == .partnerPing).first())
                XCTAssertEqual(ping.status, .delivered, "sent through the outbox")

                // A new secret; the receiver still checks with the old one, so the test delivery shows the refusal.
                let rotated = try await admin.post("/staff/partner-systems/NTPL/secret", form: [:])
                XCTAssertEqual(rotated.status, .ok)
                let newSecret = try XCTUnwrap(shown("new-secret", in: rotated.text))
                XCTAssertNotEqual(newSecret, secret)
                let refused = try await admin.post("/staff/partner-systems/NTPL/test", form: [:])
                XCTAssertTrue(refused.text.contains(app.localizer.text("systems.partners.test_failed", .zhTW,
                                                                       ["detail": "endpoint answered HTTP 401"])), refused.text)
                XCTAssertEqual(receiver.badSignatures, 1)
                let failed = try await OutboxMessage.query(on: app.db).filter(\.$kind == .partnerPing).sort(\.$id, .descending).first()
                XCTAssertEqual(failed?.status, .failed, "a test delivery is not retried")
                receiver.secret.withLockedValue { $0 = newSecret }
                let accepted = try await admin.post("/staff/partner-systems/NTPL/test", form: [:])
                XCTAssertTrue(accepted.text.contains(app.localizer.text("systems.partners.test_delivered", .zhTW)))
                XCTAssertEqual(receiver.pings.count, 2)

                // A changed URL keeps the secret.
                let moved = try await admin.post("/staff/partner-systems/NTPL", form: ["url": receiver.url + "?v=2"])
                XCTAssertEqual(moved.status, .ok)
                XCTAssertNil(shown("new-secret", in: moved.text))
                let deliveries = try await admin.get("/staff/deliveries")
                XCTAssertEqual(deliveries.status, .ok)

                for action in ["partner_endpoint.configured", "partner_endpoint.secret_rotated", "partner_endpoint.test_sent"] {
                    let events = try await auditEvents(app, action)
                    XCTAssertFalse(events.isEmpty, action)
                    XCTAssertTrue(events.allSatisfy { $0.actorType == "staff" && $0.subjectID == "NTPL" }, action)
                }
                let trail = try await auditText(app)
                XCTAssertFalse(trail.contains(secret) || trail.contains(newSecret), "no secret in the audit trail")
            }
        } catch {
            try await receiver.stop()
            throw error
        }
        try await receiver.stop()
    }

    // MARK: - SIP2 accounts

    func testASIP2AccountMadeAndRotatedOnTheWebLogsInWithAPyPIClient() async throws {
        try await withTestApp { app in
            let reader = try await activateCard(app, try await submitApplication(app))
            let admin = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            try await admin.get("/staff/sip2-accounts")

            let form = ["user": "selfcheck-3f", "allow": "127.0.0.1", "encoding": "utf8", "errorDetection": "yes"]
            for (field, value, key, values) in [
                ("allow", "127.0.0.1, 10.0.0.0/33", "systems.error.address_invalid", ["entry": "10.0.0.0/33"]),
                ("allow", " ", "systems.error.address_required", [:]),
                ("user", "", "systems.error.user_invalid", [:]),
                ("user", "a|b", "systems.error.user_invalid", [:]),
                ("encoding", "ebcdic", "systems.error.encoding_invalid", ["encoding": "ebcdic"]),
            ] {
                var bad = form
                bad[field] = value
                let refused = try await admin.post("/staff/sip2-accounts", form: bad)
                XCTAssertEqual(refused.status, .unprocessableEntity, "\(field)=\(value)")
                XCTAssertTrue(refused.text.contains(app.localizer.text(key, .zhTW, values)), "\(field)=\(value)")
            }
            let none = try await SIP2AccountRecord.query(on: app.db).count()
            XCTAssertEqual(none, 0)

            let created = try await admin.post("/staff/sip2-accounts", form: form)
            XCTAssertEqual(created.status, .created)
            let password = try XCTUnwrap(shown("new-password", in: created.text))
            let duplicate = try await admin.post("/staff/sip2-accounts", form: form)
            XCTAssertEqual(duplicate.status, .unprocessableEntity)
            XCTAssertTrue(duplicate.text.contains(app.localizer.text("systems.error.user_taken", .zhTW, ["user": "selfcheck-3f"])))
            let record = try await XCTUnwrapAsync(try await SIP2AccountRecord.query(on: app.db).filter(\.$loginUser == "selfcheck-3f").first())
            XCTAssertEqual(record.allowedAddresses, "127.0.0.1")
            XCTAssertEqual(record.institution, "TPML")
            XCTAssertTrue(record.errorDetection)
            XCTAssertFalse(record.mayReadPersonalData)
            let page = "/staff/sip2-accounts/\(record.id!)"
            let listed = try await admin.get("/staff/sip2-accounts")
            XCTAssertFalse(listed.text.contains(password), "the password is shown once")

            // Options change; a bad address is named and changes nothing.
            try await admin.get(page)
            let bad = try await admin.post(page, form: ["allow": "127.0.0.1, localhost/8", "encoding": "utf8", "errorDetection": "yes"])
            XCTAssertEqual(bad.status, .unprocessableEntity)
            XCTAssertTrue(bad.text.contains(app.localizer.text("systems.error.address_invalid", .zhTW, ["entry": "localhost/8"])))
            let updated = try await admin.post(page, form: ["allow": "127.0.0.0/8", "encoding": "utf8", "personalData": "yes",
                                                            "alternateIDs": "yes", "errorDetection": "yes"])
            XCTAssertEqual(updated.status, .ok)
            let changed = try await XCTUnwrapAsync(try await SIP2AccountRecord.find(record.id, on: app.db))
            XCTAssertEqual(changed.allowedAddresses, "127.0.0.0/8")
            XCTAssertTrue(changed.mayReadPersonalData && changed.acceptsAlternateIdentifiers)

            var configuration = SIP2Server.Configuration(timeZone: .taipei)
            configuration.loginThrottle = .init(initialDelay: .milliseconds(1), maximumDelay: .milliseconds(5))
            let server = SIP2Server(configuration: configuration, backend: SIP2Lifecycle.backend(for: app), eventLoopGroup: app.eventLoopGroup)
            let port = try await server.start(host: "127.0.0.1", port: 0)
            func logins(_ passwords: [String]) async throws -> [String] {
                let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                    .deletingLastPathComponent().appendingPathComponent("tests/sip2/sip2_login.py")
                let outcome = try await Subprocess.run(["python3", script.path, "--port", "\(port)", "--user", "selfcheck-3f"]
                                                       + passwords.flatMap { ["--password", $0] })
                XCTAssertEqual(outcome.status, 0, "sip2_login.py needs PyPI sip2 (scripts/install-test-tools): \(outcome.stderrText)")
                let json = try JSONSerialization.jsonObject(with: outcome.stdout) as? [String: Any]
                return json?["logins"] as? [String] ?? []
            }
            do {
                let first = try await logins([password])
                XCTAssertEqual(first, ["1"], "the password shown on the web logs in")

                // An open connection, logged in before the password changes, is closed at its next request.
                let open = try await SIP2Client.connect(host: "127.0.0.1", port: port, errorDetection: true)
                let openIn = try SIP2LoginResponse(try await open.request(SIP2LoginRequest(user: "selfcheck-3f", password: password).message)).ok
                XCTAssertTrue(openIn)

                let rotated = try await admin.post(page + "/password", form: [:])
                XCTAssertEqual(rotated.status, .ok)
                let newPassword = try XCTUnwrap(shown("new-password", in: rotated.text))
                XCTAssertNotEqual(newPassword, password)
                let afterRotation = try await logins([password, newPassword])
                XCTAssertEqual(afterRotation, ["0", "1"], "the old password is refused, the new one accepted")
                try await open.send(SIP2PatronStatusRequest(patronIdentifier: reader.cardNumber!, institution: "TPML")
                    .message.encoded(errorDetection: true))
                let closed: Bool
                do { closed = try await open.receive() == nil } catch { closed = true }
                XCTAssertTrue(closed, "logged in with the old password: closed")
                await open.close()

                // Disabled on the web: its connections close at their next request, as after `sip2 account disable`.
                let second = try await SIP2Client.connect(host: "127.0.0.1", port: port, errorDetection: true)
                let secondIn = try SIP2LoginResponse(try await second.request(SIP2LoginRequest(user: "selfcheck-3f", password: newPassword).message)).ok
                XCTAssertTrue(secondIn)
                let disabled = try await admin.post(page + "/disable", form: [:])
                XCTAssertEqual(disabled.status, .ok)
                try await second.send(SIP2PatronStatusRequest(patronIdentifier: reader.cardNumber!, institution: "TPML")
                    .message.encoded(errorDetection: true))
                let secondClosed: Bool
                do { secondClosed = try await second.receive() == nil } catch { secondClosed = true }
                XCTAssertTrue(secondClosed, "disabled: closed")
                await second.close()
                let whileDisabled = try await logins([newPassword])
                XCTAssertEqual(whileDisabled, ["0"])
                let enabled = try await admin.post(page + "/enable", form: [:])
                XCTAssertEqual(enabled.status, .ok)
                let afterEnable = try await logins([newPassword])
                XCTAssertEqual(afterEnable, ["1"])
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()

            for action in ["sip2_account.created", "sip2_account.updated", "sip2_account.password_rotated", "sip2_account.disabled",
                           "sip2_account.enabled"] {
                let events = try await auditEvents(app, action)
                XCTAssertFalse(events.isEmpty, action)
                XCTAssertTrue(events.allSatisfy { $0.actorType == "staff" }, action)
            }
            let trail = try await auditText(app)
            XCTAssertFalse(trail.contains(password), "no password in the audit trail")
        }
    }
}

/// How many test deliveries were queued.
enum PartnerPingCount {
    static func of(_ app: Application) async throws -> Int {
        try await OutboxMessage.query(on: app.db).filter(\.$kind == .partnerPing).count()
    }
}
