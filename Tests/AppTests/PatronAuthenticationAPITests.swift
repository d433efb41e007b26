import Fluent
import Foundation
import XCTVapor
@testable import App

/// Issue #15 item 2: `POST /api/v1/patron-authentication`, the credential validation API for e-resource
/// vendors that cannot do OpenID Connect.
final class PatronAuthenticationAPITests: XCTestCase {
    static let password = "river lantern mango"

    func vendor(_ app: Application, library: String = "TPML", alternateIDs: Bool = false, name: String = "HyRead") async throws -> String {
        try await APIClients.create(name: name, libraryCode: library, scopes: [.patronAuthentication], alternateIdentifiers: alternateIDs,
                                    database: app.db, now: app.clock.now())
    }

    func authenticate(_ app: Application, token: String?, _ identifier: String, _ password: String,
                      contentType: String = "application/json") async throws -> XCTHTTPResponse {
        var headers: HTTPHeaders = ["Content-Type": contentType, "Accept-Language": "en"]
        if let token { headers.bearerAuthorization = .init(token: token) }
        let body = try JSONSerialization.data(withJSONObject: ["identifier": identifier, "password": password])
        return try await app.testable().sendRequest(.POST, "/api/v1/patron-authentication", headers: headers, body: ByteBuffer(data: body))
    }

    func outcomes(_ app: Application) async throws -> [String] {
        try await AuditEvent.query(on: app.db).filter(\.$action == "patron.authentication").sort(\.$occurredAt).all().map {
            (try JSONSerialization.jsonObject(with: Data(($0.details ?? "{}").utf8)) as? [String: String])?["outcome"] ?? "?"
        }
    }

    func testARightPasswordAnswersTheCardsStatusWithAPairwiseIdentifierAndNothingPersonal() async throws {
        try await withTestApp { app in
            let patron = try await activateCard(app, try await submitApplication(app))
            let hyRead = try await vendor(app)
            let udn = try await vendor(app, name: "udn")
            let response = try await authenticate(app, token: hyRead, patron.cardNumber!, Self.password)
            XCTAssertEqual(response.status, .ok, response.body.string)
            let dto = try response.content.decode(PatronAuthenticationDTO.self)
            XCTAssertEqual(dto.cardKind, "physical")
            XCTAssertEqual(dto.homeLibrary, "TPML")
            XCTAssertEqual(dto.standing, "good")
            XCTAssertNil(dto.validUntil)
            XCTAssertTrue(dto.mayBorrow)
            XCTAssertEqual(dto.patron.count, 32)
            for personal in ["王小明", "A123456789", "wang@example.org", "1990", patron.cardNumber!, patron.id!.uuidString] {
                XCTAssertFalse(response.body.string.contains(personal), "\(personal) in \(response.body.string)")
            }
            let again = try await authenticate(app, token: hyRead, patron.cardNumber!, Self.password).content.decode(PatronAuthenticationDTO.self)
            XCTAssertEqual(again.patron, dto.patron, "stable for the same client")
            let other = try await authenticate(app, token: udn, patron.cardNumber!, Self.password).content.decode(PatronAuthenticationDTO.self)
            XCTAssertNotEqual(other.patron, dto.patron, "another vendor gets another identifier for the same person")
            let outcomes = try await outcomes(app)
            XCTAssertEqual(outcomes, ["verified", "verified", "verified"], "every call is audited")
        }
    }

    func testAnUnknownCardAndAWrongPasswordAreOneRefusalAtTheSameCost() async throws {
        try await withTestApp { app in
            let hasher = CountingPasswordHasher()
            app.passwords.use { _ in hasher }
            let patron = try await activateCard(app, try await submitApplication(app))
            let hash = try XCTUnwrap(patron.passwordHash)
            let token = try await vendor(app)
            let wrong = try await authenticate(app, token: token, patron.cardNumber!, "wrong password!")
            XCTAssertEqual(hasher.verifications(of: hash), 1)
            let unknown = try await authenticate(app, token: token, "1001000099998", Self.password)
            XCTAssertEqual(hasher.verifications(of: app.decoyPasswordHash), 1, "an unknown card costs one bcrypt, against the decoy")
            for response in [wrong, unknown] {
                XCTAssertEqual(response.status, .unauthorized)
                XCTAssertEqual(try response.content.decode(APIErrorDTO.self).code, "invalid_credentials")
                XCTAssertEqual(response.body.string, wrong.body.string, "byte for byte the same")
            }
            // A card of a library that is not the client's, and not linked to it, is no card to this client.
            let newTaipei = try await vendor(app, library: "NTPL")
            let elsewhere = try await authenticate(app, token: newTaipei, patron.cardNumber!, Self.password)
            XCTAssertEqual(elsewhere.body.string, wrong.body.string)
            XCTAssertEqual(hasher.verifications(of: hash), 1, "its password was not even tried")
            // ID numbers only for a client allowed alternate identifiers, as with SIP2.
            let byIDNumber = try await authenticate(app, token: token, "A123456789", Self.password)
            XCTAssertEqual(byIDNumber.body.string, wrong.body.string, "a vendor cannot ask whether an ID number holds a card")
            XCTAssertEqual(hasher.verifications(of: hash), 1)
            let alternate = try await vendor(app, alternateIDs: true, name: "Taiwan Cloud Library")
            let allowed = try await authenticate(app, token: alternate, "a123456789", Self.password)
            XCTAssertEqual(allowed.status, .ok)
            let outcomes = try await outcomes(app)
            XCTAssertEqual(outcomes, ["invalid_credentials", "invalid_credentials", "invalid_credentials", "invalid_credentials", "verified"])
        }
    }

    func testSuspendedExpiredAndLockedAreToldApartOnlyWithTheRightPassword() async throws {
        try await withTestApp { app in
            let hasher = CountingPasswordHasher()
            app.passwords.use { _ in hasher }
            let patron = try await activateCard(app, try await submitApplication(app))
            let token = try await vendor(app)
            patron.suspendedAt = app.clock.now()
            patron.cardValidUntil = "2020-01-31"
            try await patron.save(on: app.db)
            let suspended = try await authenticate(app, token: token, patron.cardNumber!, Self.password)
            XCTAssertEqual(suspended.status, .forbidden)
            XCTAssertEqual(try suspended.content.decode(APIErrorDTO.self).code, "card_suspended", "a suspension wins over expiry")
            let guess = try await authenticate(app, token: token, patron.cardNumber!, "wrong password!")
            XCTAssertEqual(try guess.content.decode(APIErrorDTO.self).code, "invalid_credentials", "told only with the right password")
            patron.suspendedAt = nil
            try await patron.save(on: app.db)
            let expired = try await authenticate(app, token: token, patron.cardNumber!, Self.password)
            XCTAssertEqual(expired.status, .forbidden)
            XCTAssertEqual(try expired.content.decode(APIErrorDTO.self).code, "card_expired")
            XCTAssertEqual(try expired.content.decode(APIErrorDTO.self).message, "This library card has expired. Please see a library service desk.")

            // The lock of the web sign-in: 1 wrong above, 9 more, then even the right password is refused unread.
            for _ in 1..<SignInThrottle.lockAfter {
                let response = try await authenticate(app, token: token, patron.cardNumber!, "wrong password!")
                XCTAssertEqual(response.status, .unauthorized)
            }
            let hash = try XCTUnwrap(patron.passwordHash)
            let tried = hasher.verifications(of: hash)
            let locked = try await authenticate(app, token: token, patron.cardNumber!, Self.password)
            XCTAssertEqual(locked.status, .tooManyRequests)
            XCTAssertEqual(try locked.content.decode(APIErrorDTO.self).code, "locked")
            let retryAfter = try XCTUnwrap(Int(locked.headers.first(name: "Retry-After") ?? ""))
            XCTAssertTrue((1...900).contains(retryAfter), "\(retryAfter)")
            XCTAssertEqual(hasher.verifications(of: hash), tried, "a locked card's password is not tried")
            // It is the same lock as the web sign-in's.
            let web = TestBrowser(app)
            try await web.get("/login")
            let signIn = try await web.post("/login", form: ["identifier": patron.cardNumber!, "password": Self.password])
            XCTAssertEqual(signIn.status, .unauthorized)
            // An unknown card locks the same way, so `locked` does not tell that a card exists.
            for _ in 1...SignInThrottle.lockAfter { _ = try await authenticate(app, token: token, "1001000099998", "wrong password!") }
            let unknownLocked = try await authenticate(app, token: token, "1001000099998", "wrong password!")
            XCTAssertEqual(try unknownLocked.content.decode(APIErrorDTO.self).code, "locked")
            let outcomes = try await outcomes(app)
            XCTAssertEqual(Array(outcomes.prefix(3)), ["card_suspended", "invalid_credentials", "card_expired"])
            XCTAssertEqual(outcomes.filter { $0 == "locked" }.count, 2)
        }
    }

    func testLimitsPerCardAndPerClient() async throws {
        try await withTestApp { app in
            let patron = try await activateCard(app, try await submitApplication(app))
            let other = try await activateCard(app, try await submitApplication(app, idNumber: "F234567898"))
            let token = try await vendor(app)
            let now = app.clock.now()
            let limiter = RateLimiter(database: app.db)
            let card = "patron-auth:card:" + CredentialCheck.bucket(patron: patron.id!)
            // Per card: 30 calls per 15 minutes from any client.
            _ = try await limiter.add(PatronAuthenticationLimits.callsPerCard.limit - 1, to: card,
                                      per: PatronAuthenticationLimits.callsPerCard.window, now: now)
            let last = try await authenticate(app, token: token, patron.cardNumber!, Self.password)
            XCTAssertEqual(last.status, .ok)
            let beyond = try await authenticate(app, token: token, patron.cardNumber!, Self.password)
            XCTAssertEqual(beyond.status, .tooManyRequests)
            XCTAssertEqual(try beyond.content.decode(APIErrorDTO.self).code, "rate_limited")
            XCTAssertNotNil(beyond.headers.first(name: "Retry-After"))
            let otherCard = try await authenticate(app, token: token, other.cardNumber!, Self.password)
            XCTAssertEqual(otherCard.status, .ok, "another card is not held up")

            // Per client, wrong credentials: given back when the password is right.
            let failures = "patron-auth:client-failures:" + (try await APIClient.query(on: app.db).first()!.requireID().uuidString)
            let window = PatronAuthenticationLimits.failuresPerClient.window
            _ = try await limiter.add(PatronAuthenticationLimits.failuresPerClient.limit - 1, to: failures, per: window, now: now)
            let right = try await authenticate(app, token: token, other.cardNumber!, Self.password)
            XCTAssertEqual(right.status, .ok)
            let counted = try await limiter.current(failures, per: window, now: now)
            XCTAssertEqual(counted, PatronAuthenticationLimits.failuresPerClient.limit - 1, "a right password costs nothing")
            let wrong = try await authenticate(app, token: token, "1001000099998", "nope")
            XCTAssertEqual(wrong.status, .unauthorized)
            let stopped = try await authenticate(app, token: token, other.cardNumber!, Self.password)
            XCTAssertEqual(try stopped.content.decode(APIErrorDTO.self).code, "rate_limited")

            // Per client, every call.
            let fresh = try await vendor(app, name: "udn")
            let freshID = try await APIClient.query(on: app.db).filter(\.$name == "udn").first()!.requireID()
            _ = try await limiter.add(PatronAuthenticationLimits.callsPerClient.limit, to: "patron-auth:client:\(freshID.uuidString)",
                                      per: PatronAuthenticationLimits.callsPerClient.window, now: now)
            let busy = try await authenticate(app, token: fresh, other.cardNumber!, Self.password)
            XCTAssertEqual(busy.status, .tooManyRequests)
            XCTAssertEqual(try busy.content.decode(APIErrorDTO.self).code, "rate_limited")
            let outcomes = try await outcomes(app)
            XCTAssertEqual(outcomes.filter { $0 == "rate_limited" }.count, 3, "refusals by a limit are audited too")
        }
    }

    func testOnlyTheScopeOpensItAndOnlyJSONIsRead() async throws {
        try await withTestApp { app in
            let patron = try await activateCard(app, try await submitApplication(app))
            let kiosk = try await APIClients.create(name: "Kiosk", libraryCode: "TPML", scopes: [.cardApplications, .partnerLookup],
                                                    database: app.db, now: app.clock.now())
            let refused = try await authenticate(app, token: kiosk, patron.cardNumber!, Self.password)
            XCTAssertEqual(refused.status, .forbidden)
            XCTAssertEqual(try refused.content.decode(APIErrorDTO.self).code, "insufficient_scope")
            let anonymous = try await authenticate(app, token: nil, patron.cardNumber!, Self.password)
            XCTAssertEqual(anonymous.status, .unauthorized)
            XCTAssertEqual(try anonymous.content.decode(APIErrorDTO.self).code, "unauthorized")
            let token = try await vendor(app)
            let form = try await authenticate(app, token: token, patron.cardNumber!, Self.password, contentType: "application/x-www-form-urlencoded")
            XCTAssertEqual(form.status, .unsupportedMediaType)
            let outcomes = try await outcomes(app)
            XCTAssertEqual(outcomes, [], "nothing was checked")
        }
    }
}
