import Fluent
import Foundation
import SIP2
import XCTVapor
@testable import App

/// OneCard's SIP2 backend behind the real SIP2 server, asked over TCP: accounts and card holders come
/// from the database, passwords are checked with bcrypt, and libraries see only their own readers.
final class SIP2IntegrationTests: XCTestCase {
    func activate(_ app: Application, _ patron: Patron, easyCard: String = "") async throws {
        try await activateCard(app, patron, easyCard: easyCard)
    }

    func account(_ app: Application, library: String, personalData: Bool, allow: String = "") async throws -> SIP2Accounts.Created {
        try await SIP2Accounts.create(user: "vendor-\(library.lowercased())", libraryCode: library, institution: nil,
                                      allowedAddresses: allow, encoding: "utf8", personalData: personalData, alternateIDs: true,
                                      errorDetection: true, app: app)
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
            let keelung = try await account(app, library: "KLPL", personalData: false)

            let server = SIP2Server(backend: OneCardSIP2Backend(app: app), eventLoopGroup: app.eventLoopGroup)
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
            let server = SIP2Server(backend: OneCardSIP2Backend(app: app), eventLoopGroup: app.eventLoopGroup)
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

    func testAccountsBoundToAddressesRefuseOtherClients() async throws {
        try await withTestApp { app in
            let vendor = try await account(app, library: "TPML", personalData: false, allow: "10.0.0.0/8")
            let backend = OneCardSIP2Backend(app: app)
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
