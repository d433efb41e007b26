import Crypto
import Fluent
import Foundation
import JWTKit
import OneCardDomain
import SQLKit
import XCTVapor
@testable import App

/// OneCard as an OpenID Connect provider (issue #15 item 1), through HTTP: the reader's sign-in and consent
/// in a browser session, the relying party's calls as a server makes them (no session, no CSRF token).
final class OIDCProviderTests: XCTestCase {
    static let redirect = "https://ebooks.example/callback"
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-and-some-more-letters"

    /// A registered client: public ones need PKCE, confidential ones get a secret.
    struct Client {
        let id: String
        let secret: String?
    }

    func register(_ app: Application, id: String = "ebooks", confidential: Bool = false, libraries: [String] = ["TPML"],
                  scopes: [String] = ["openid", "profile", "email", "card", "age"], allDigital: Bool = false,
                  idTokenAlg: String = "ES256") async throws -> Client {
        let (client, secret) = try await OIDCClients(database: app.db, now: app.clock.now()).create(
            .init(clientID: id, name: "電子書平台", homePage: "https://ebooks.example", redirectURIs: [Self.redirect], scopes: scopes,
                  libraryCodes: libraries, allDigitalCards: allDigital, confidential: confidential, idTokenAlgorithm: idTokenAlg),
            by: .commandLine)
        return Client(id: client.clientID, secret: secret)
    }

    func authorizePath(_ client: Client, scope: String = "openid profile card", pkce: Bool = true, redirect: String = redirect,
                       extra: [URLQueryItem] = []) -> String {
        var components = URLComponents(string: "/oidc/authorize")!
        components.queryItems = [
            .init(name: "client_id", value: client.id), .init(name: "redirect_uri", value: redirect),
            .init(name: "response_type", value: "code"), .init(name: "scope", value: scope),
            .init(name: "state", value: "st-1"), .init(name: "nonce", value: "n-0S6_WzA2Mj"),
        ] + (pkce ? [.init(name: "code_challenge", value: OIDCGrants.s256(Self.verifier)), .init(name: "code_challenge_method", value: "S256")] : [])
            + extra
        return components.string!
    }

    func query(_ location: String?) -> [String: String] {
        guard let location, let items = URLComponents(string: location)?.queryItems else { return [:] }
        return Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
    }

    /// Signs in on the OIDC page, consents, and returns the code from the redirect.
    func code(_ app: Application, _ browser: TestBrowser, _ client: Client, patron: Patron, scope: String = "openid profile card",
              file: StaticString = #filePath, line: UInt = #line) async throws -> String {
        let page = try await browser.get(authorizePath(client, scope: scope))
        var response = page
        if page.text.contains("name=\"password\"") {
            let signedIn = try await browser.post("/oidc/sign-in", form: ["identifier": patron.cardNumber!, "password": "river lantern mango"])
            XCTAssertEqual(signedIn.status, .seeOther, file: file, line: line)
            XCTAssertEqual(signedIn.headers.first(name: .location), "/oidc/continue", file: file, line: line)
            response = try await browser.get("/oidc/continue")
        }
        if response.status == .ok, response.text.contains("name=\"decision\"") {
            response = try await browser.post("/oidc/consent", form: ["decision": "allow"])
        }
        XCTAssertEqual(response.status, .seeOther, response.text, file: file, line: line)
        let location = response.headers.first(name: .location) ?? ""
        XCTAssertTrue(location.hasPrefix(Self.redirect + "?"), location, file: file, line: line)
        XCTAssertEqual(query(location)["state"], "st-1", file: file, line: line)
        return try XCTUnwrap(query(location)["code"], file: file, line: line)
    }

    /// A server's form POST: no cookies, no CSRF token.
    func post(_ app: Application, _ path: String, _ fields: [String: String], basic: (String, String)? = nil) async throws -> XCTHTTPResponse {
        var components = URLComponents()
        components.queryItems = fields.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        var headers = HTTPHeaders()
        headers.contentType = .urlEncodedForm
        if let (user, password) = basic { headers.basicAuthorization = .init(username: user, password: password) }
        let body = (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        return try await app.testable().sendRequest(.POST, path, headers: headers, body: ByteBuffer(string: body))
    }

    func exchange(_ app: Application, _ client: Client, code: String, verifier: String? = verifier) async throws -> XCTHTTPResponse {
        var fields = ["grant_type": "authorization_code", "code": code, "redirect_uri": Self.redirect, "client_id": client.id]
        if let verifier { fields["code_verifier"] = verifier }
        if let secret = client.secret { fields["client_secret"] = secret }
        return try await post(app, "/oidc/token", fields)
    }

    func json(_ response: XCTHTTPResponse) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any], response.text)
    }

    func userInfo(_ app: Application, _ accessToken: String) async throws -> XCTHTTPResponse {
        try await app.testable().sendRequest(.GET, "/oidc/userinfo", headers: ["Authorization": "Bearer \(accessToken)"])
    }

    // MARK: The whole flow

    func testCodeFlowWithPKCEGivesAnIDTokenVerifiableFromTheJWKSAndPairwiseClaimsWithoutTheIDNumber() async throws {
        try await withTestApp { app in
            let client = try await register(app)
            let patron = try await activateCard(app, try await submitApplication(app))
            let browser = TestBrowser(app)
            let signInPage = try await browser.get(authorizePath(client))
            XCTAssertEqual(signInPage.status, .ok)
            XCTAssertTrue(signInPage.text.contains("電子書平台"))
            // The sign-in form ends at the client after redirects: its origin is allowed to forms on this page.
            XCTAssertTrue(signInPage.headers.first(name: "Content-Security-Policy")?.contains("form-action 'self' https://ebooks.example") == true)
            try await browser.post("/oidc/sign-in", form: ["identifier": patron.cardNumber!, "password": "river lantern mango"])
            let consent = try await browser.get("/oidc/continue")
            XCTAssertEqual(consent.status, .ok)
            XCTAssertTrue(consent.text.contains("您的姓名"), consent.text)
            XCTAssertTrue(consent.text.contains("借閱證種類"))
            let answered = try await browser.post("/oidc/consent", form: ["decision": "allow"])
            XCTAssertEqual(answered.status, .seeOther)
            let code = try XCTUnwrap(query(answered.headers.first(name: .location))["code"])
            XCTAssertEqual(query(answered.headers.first(name: .location))["iss"], "http://127.0.0.1:8080")

            let tokens = try await exchange(app, client, code: code)
            XCTAssertEqual(tokens.status, .ok, tokens.text)
            XCTAssertEqual(tokens.headers.first(name: .cacheControl), "no-store")
            let body = try json(tokens)
            let access = try XCTUnwrap(body["access_token"] as? String)
            XCTAssertEqual(body["expires_in"] as? Int, 600)
            XCTAssertNotNil(body["refresh_token"] as? String)

            // The ID token, checked with the published keys only.
            let jwks = try await app.testable().sendRequest(.GET, "/oidc/jwks.json")
            let keys = try await JWTKeyCollection().add(jwksJSON: jwks.text)
            let idToken = try await keys.verify(try XCTUnwrap(body["id_token"] as? String), as: OIDCIDToken.self)
            XCTAssertEqual(idToken.iss, "http://127.0.0.1:8080")
            XCTAssertEqual(idToken.aud, client.id)
            XCTAssertEqual(idToken.nonce, "n-0S6_WzA2Mj")
            XCTAssertEqual(idToken.atHash, Data(SHA256.hash(data: Data(access.utf8)).prefix(16)).base64URLEncodedString())
            XCTAssertEqual(idToken.exp - idToken.iat, 600)

            let info = try await userInfo(app, access)
            XCTAssertEqual(info.status, .ok, info.text)
            let claims = try json(info)
            XCTAssertEqual(claims["sub"] as? String, idToken.sub)
            XCTAssertNotEqual(idToken.sub, patron.id!.uuidString)
            XCTAssertEqual(claims["name"] as? String, "王小明")
            XCTAssertNil(claims["email"], "email was not asked for")
            XCTAssertNil(claims["birthdate"])
            let card = try XCTUnwrap(claims["card"] as? [String: Any])
            XCTAssertEqual(card["kind"] as? String, "physical")
            XCTAssertEqual(card["standing"] as? String, "good")
            XCTAssertEqual(card["library"] as? String, "TPML")
            XCTAssertFalse(info.text.contains("A123456789"))
            XCTAssertFalse(tokens.text.contains("A123456789"))

            // Every issuance is in the audit trail.
            let actions = try await AuditEvent.query(on: app.db).all().map(\.action)
            XCTAssertTrue(actions.contains("oidc.consent_given"))
            XCTAssertTrue(actions.contains("oidc.code_issued"))
            XCTAssertTrue(actions.contains("oidc.tokens_issued"))

            // A second sign-in in the same session asks nothing: signed in, consent on file.
            let again = try await browser.get(authorizePath(client))
            XCTAssertEqual(again.status, .seeOther)
            XCTAssertNotNil(query(again.headers.first(name: .location))["code"])
        }
    }

    func testDiscoveryNamesTheEndpointsAndOnlyTheCodeFlow() async throws {
        try await withTestApp { app in
            let response = try await app.testable().sendRequest(.GET, "/.well-known/openid-configuration")
            XCTAssertEqual(response.status, .ok)
            let document = try json(response)
            XCTAssertEqual(document["issuer"] as? String, "http://127.0.0.1:8080")
            XCTAssertEqual(document["token_endpoint"] as? String, "http://127.0.0.1:8080/oidc/token")
            XCTAssertEqual(document["response_types_supported"] as? [String], ["code"])
            XCTAssertEqual(document["subject_types_supported"] as? [String], ["pairwise"])
            XCTAssertEqual(document["code_challenge_methods_supported"] as? [String], ["S256"])
            let put = try await app.testable().sendRequest(.PUT, "/oidc/token")
            XCTAssertEqual(put.status, .methodNotAllowed)
            XCTAssertEqual(put.headers.first(name: "Allow"), "POST")
        }
    }

    // MARK: Codes

    func testAReplayedCodeIsRefusedAndRevokesTheTokensItIssued() async throws {
        try await withTestApp { app in
            let client = try await register(app)
            let patron = try await activateCard(app, try await submitApplication(app))
            let code = try await code(app, TestBrowser(app), client, patron: patron)
            let first = try json(try await exchange(app, client, code: code))
            let access = try XCTUnwrap(first["access_token"] as? String)
            let replay = try await exchange(app, client, code: code)
            XCTAssertEqual(replay.status, .badRequest)
            XCTAssertEqual(try json(replay)["error"] as? String, "invalid_grant")
            let info = try await userInfo(app, access)
            XCTAssertEqual(info.status, .unauthorized)
            XCTAssertEqual(info.headers.first(name: "WWW-Authenticate"), "Bearer error=\"invalid_token\"")
            let refreshed = try await post(app, "/oidc/token", ["grant_type": "refresh_token", "client_id": client.id,
                                                                 "refresh_token": try XCTUnwrap(first["refresh_token"] as? String)])
            XCTAssertEqual(refreshed.status, .badRequest)
            let replayed = try await AuditEvent.query(on: app.db).filter(\.$action == "oidc.code_replayed").count()
            XCTAssertEqual(replayed, 1)
        }
    }

    func testACodeLivesSixtySeconds() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let client = try await register(app)
            let patron = try await activateCard(app, try await submitApplication(app))
            let code = try await code(app, TestBrowser(app), client, patron: patron)
            clock.advance(by: 61)
            let late = try await exchange(app, client, code: code)
            XCTAssertEqual(late.status, .badRequest)
            XCTAssertEqual(try json(late)["error"] as? String, "invalid_grant")
        }
    }

    func testPKCEVerifierMustMatchAndAPublicClientMustUsePKCE() async throws {
        try await withTestApp { app in
            let client = try await register(app)
            let patron = try await activateCard(app, try await submitApplication(app))
            let code = try await code(app, TestBrowser(app), client, patron: patron)
            let wrong = try await exchange(app, client, code: code, verifier: String(repeating: "x", count: 50))
            XCTAssertEqual(wrong.status, .badRequest)
            XCTAssertEqual(try json(wrong)["error"] as? String, "invalid_grant")

            let browser = TestBrowser(app)
            let withoutPKCE = try await browser.get(authorizePath(client, pkce: false))
            XCTAssertEqual(withoutPKCE.status, .seeOther)
            XCTAssertEqual(query(withoutPKCE.headers.first(name: .location))["error"], "invalid_request")
            XCTAssertEqual(query(withoutPKCE.headers.first(name: .location))["state"], "st-1")
        }
    }

    func testTheRedirectURIMustMatchExactlyOrTheReaderGetsAPageAndTheClientNothing() async throws {
        try await withTestApp { app in
            let client = try await register(app)
            for redirect in ["https://ebooks.example/callback/", "https://ebooks.example/callback?x=1", "https://evil.example/callback"] {
                let response = try await TestBrowser(app).get(authorizePath(client, redirect: redirect))
                XCTAssertEqual(response.status, .badRequest, redirect)
                XCTAssertNil(response.headers.first(name: .location), redirect)
                XCTAssertTrue(response.text.contains("未登記的網址"), response.text)
            }
            let unknown = try await TestBrowser(app).get(authorizePath(Client(id: "nobody", secret: nil)))
            XCTAssertEqual(unknown.status, .badRequest)
            XCTAssertNil(unknown.headers.first(name: .location))
        }
    }

    func testAScopeTheClientIsNotRegisteredForIsRefused() async throws {
        try await withTestApp { app in
            let client = try await register(app, scopes: ["openid", "profile"])
            let response = try await TestBrowser(app).get(authorizePath(client, scope: "openid profile birthdate"))
            XCTAssertEqual(response.status, .seeOther)
            XCTAssertEqual(query(response.headers.first(name: .location))["error"], "invalid_scope")
            let noOpenID = try await TestBrowser(app).get(authorizePath(client, scope: "profile"))
            XCTAssertEqual(query(noOpenID.headers.first(name: .location))["error"], "invalid_scope")
        }
    }

    // MARK: Cards that may not use the client

    func testACardOfALibraryTheClientDoesNotServeIsRefusedAndTheClientGetsAccessDenied() async throws {
        try await withTestApp { app in
            let client = try await register(app, libraries: ["NLPI"])
            let patron = try await activateCard(app, try await submitApplication(app))
            let browser = TestBrowser(app)
            try await browser.get(authorizePath(client))
            try await browser.post("/oidc/sign-in", form: ["identifier": patron.cardNumber!, "password": "river lantern mango"])
            let refused = try await browser.get("/oidc/continue")
            XCTAssertEqual(refused.status, .forbidden)
            XCTAssertTrue(refused.text.contains("其他圖書館"), refused.text)
            XCTAssertTrue(refused.text.contains("error=access_denied"), refused.text)
            let checked1 = try await OIDCAuthorizationCode.query(on: app.db).count()
            XCTAssertEqual(checked1, 0)
        }
    }

    func testASuspendedCardIsRefusedWithAClearPageAndItsRefreshTokensStopWorking() async throws {
        try await withTestApp { app in
            let client = try await register(app)
            let patron = try await activateCard(app, try await submitApplication(app))
            let tokens = try json(try await exchange(app, client, code: try await code(app, TestBrowser(app), client, patron: patron)))
            patron.suspendedAt = app.clock.now()
            patron.suspensionReason = "逾期未還"
            try await patron.save(on: app.db)

            let browser = TestBrowser(app)
            try await browser.get(authorizePath(client))
            try await browser.post("/oidc/sign-in", form: ["identifier": patron.cardNumber!, "password": "river lantern mango"])
            let refused = try await browser.get("/oidc/continue")
            XCTAssertEqual(refused.status, .forbidden)
            XCTAssertTrue(refused.text.contains("已停權"), refused.text)
            XCTAssertTrue(refused.text.contains("error=access_denied"))

            let refreshed = try await post(app, "/oidc/token", ["grant_type": "refresh_token", "client_id": client.id,
                                                                 "refresh_token": try XCTUnwrap(tokens["refresh_token"] as? String)])
            XCTAssertEqual(refreshed.status, .badRequest)
        }
    }

    // MARK: Sign-in

    func testTheSignInPageSharesTheWebSignInsLock() async throws {
        try await withTestApp { app in
            let client = try await register(app)
            let patron = try await activateCard(app, try await submitApplication(app))
            let browser = TestBrowser(app)
            try await browser.get(authorizePath(client))
            for _ in 0..<SignInThrottle.lockAfter {
                let wrong = try await browser.post("/oidc/sign-in", form: ["identifier": patron.cardNumber!, "password": "wrong password here"])
                XCTAssertEqual(wrong.status, .unauthorized)
            }
            // Locked by the OIDC page: the site's own sign-in refuses the right password too.
            let web = TestBrowser(app)
            try await web.get("/login")
            let locked = try await web.post("/login", form: ["identifier": patron.cardNumber!, "password": "river lantern mango"])
            XCTAssertEqual(locked.status, .unauthorized)
        }
    }

    // MARK: Refresh tokens

    func testRefreshTokensRotateAndAReusedOneRevokesTheFamily() async throws {
        try await withTestApp { app in
            let client = try await register(app)
            let patron = try await activateCard(app, try await submitApplication(app))
            let first = try json(try await exchange(app, client, code: try await code(app, TestBrowser(app), client, patron: patron)))
            let refresh1 = try XCTUnwrap(first["refresh_token"] as? String)
            let second = try await post(app, "/oidc/token", ["grant_type": "refresh_token", "client_id": client.id, "refresh_token": refresh1])
            XCTAssertEqual(second.status, .ok, second.text)
            let secondBody = try json(second)
            let refresh2 = try XCTUnwrap(secondBody["refresh_token"] as? String)
            let access2 = try XCTUnwrap(secondBody["access_token"] as? String)
            XCTAssertNotEqual(refresh1, refresh2)
            let checked2 = try await userInfo(app, access2).status
            XCTAssertEqual(checked2, .ok)

            // Someone replays the first refresh token: refused, and the whole family is revoked.
            let reused = try await post(app, "/oidc/token", ["grant_type": "refresh_token", "client_id": client.id, "refresh_token": refresh1])
            XCTAssertEqual(reused.status, .badRequest)
            let checked3 = try await userInfo(app, access2).status
            XCTAssertEqual(checked3, .unauthorized)
            let third = try await post(app, "/oidc/token", ["grant_type": "refresh_token", "client_id": client.id, "refresh_token": refresh2])
            XCTAssertEqual(third.status, .badRequest)
            let checked4 = try await AuditEvent.query(on: app.db).filter(\.$action == "oidc.refresh_reused").count()
            XCTAssertEqual(checked4, 1)
            let checked5 = try await AuditEvent.query(on: app.db).filter(\.$action == "oidc.tokens_refreshed").count()
            XCTAssertEqual(checked5, 1)
        }
    }

    func testAnAccessTokenLivesTenMinutes() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let client = try await register(app)
            let patron = try await activateCard(app, try await submitApplication(app))
            let tokens = try json(try await exchange(app, client, code: try await code(app, TestBrowser(app), client, patron: patron)))
            let access = try XCTUnwrap(tokens["access_token"] as? String)
            clock.advance(by: 599)
            let checked6 = try await userInfo(app, access).status
            XCTAssertEqual(checked6, .ok)
            clock.advance(by: 2)
            let checked7 = try await userInfo(app, access).status
            XCTAssertEqual(checked7, .unauthorized)
        }
    }

    // MARK: Confidential clients, revocation, introspection

    func testAConfidentialClientAuthenticatesWithItsSecretAndCanIntrospectAndRevoke() async throws {
        try await withTestApp { app in
            let client = try await register(app, confidential: true)
            let secret = try XCTUnwrap(client.secret)
            let patron = try await activateCard(app, try await submitApplication(app))
            let code = try await code(app, TestBrowser(app), client, patron: patron)
            let wrongSecret = try await post(app, "/oidc/token", ["grant_type": "authorization_code", "code": code, "redirect_uri": Self.redirect,
                                                                   "code_verifier": Self.verifier], basic: (client.id, "not-the-secret"))
            XCTAssertEqual(wrongSecret.status, .unauthorized)
            XCTAssertEqual(try json(wrongSecret)["error"] as? String, "invalid_client")
            let noSecret = try await exchange(app, Client(id: client.id, secret: nil), code: code)
            XCTAssertEqual(noSecret.status, .unauthorized)
            let tokens = try await post(app, "/oidc/token", ["grant_type": "authorization_code", "code": code, "redirect_uri": Self.redirect,
                                                              "code_verifier": Self.verifier], basic: (client.id, secret))
            XCTAssertEqual(tokens.status, .ok, tokens.text)
            let access = try XCTUnwrap(try json(tokens)["access_token"] as? String)

            let active = try json(try await post(app, "/oidc/introspect", ["token": access], basic: (client.id, secret)))
            XCTAssertEqual(active["active"] as? Bool, true)
            XCTAssertEqual(active["client_id"] as? String, client.id)
            XCTAssertEqual(active["scope"] as? String, "openid profile card")

            let revoked = try await post(app, "/oidc/revoke", ["token": access, "client_id": client.id, "client_secret": secret])
            XCTAssertEqual(revoked.status, .ok)
            let inactive = try json(try await post(app, "/oidc/introspect", ["token": access], basic: (client.id, secret)))
            XCTAssertEqual(inactive["active"] as? Bool, false)
            XCTAssertEqual(inactive.count, 1)
            let checked8 = try await userInfo(app, access).status
            XCTAssertEqual(checked8, .unauthorized)

            // Another client learns nothing about this client's tokens.
            let other = try await register(app, id: "other", confidential: true)
            let otherAsks = try json(try await post(app, "/oidc/introspect", ["token": access], basic: (other.id, other.secret!)))
            XCTAssertEqual(otherAsks["active"] as? Bool, false)
        }
    }

    func testEachClientSeesADifferentSubjectForTheSameReader() async throws {
        try await withTestApp { app in
            let one = try await register(app, id: "one")
            let two = try await register(app, id: "two")
            let patron = try await activateCard(app, try await submitApplication(app))
            let browser = TestBrowser(app)
            let a = try json(try await exchange(app, one, code: try await code(app, browser, one, patron: patron)))
            let b = try json(try await exchange(app, two, code: try await code(app, browser, two, patron: patron)))
            let subA = try json(try await userInfo(app, a["access_token"] as! String))["sub"] as? String
            let subB = try json(try await userInfo(app, b["access_token"] as! String))["sub"] as? String
            XCTAssertNotNil(subA)
            XCTAssertNotEqual(subA, subB)
        }
    }

    // MARK: Consent

    func testWithdrawingTheConsentInMyAccountRevokesThatClientsTokens() async throws {
        try await withTestApp { app in
            let client = try await register(app)
            let other = try await register(app, id: "other")
            let patron = try await activateCard(app, try await submitApplication(app))
            let browser = TestBrowser(app)
            let tokens = try json(try await exchange(app, client, code: try await code(app, browser, client, patron: patron)))
            let otherTokens = try json(try await exchange(app, other, code: try await code(app, browser, other, patron: patron)))
            let account = try await browser.get("/account")
            XCTAssertTrue(account.text.contains("同意以借閱證登入「電子書平台」"), account.text)
            let document = try await ConsentDocument.current("OIDC_ebooks", at: app.clock.now(), on: app.db)
            let record = try await XCTUnwrapAsync(try await ConsentRecord.query(on: app.db).filter(\.$document.$id == document.requireID()).first())
            XCTAssertEqual(record.channel, "oidc")
            let withdrawn = try await browser.post("/account/consents/\(record.id!.uuidString)/withdraw", form: [:])
            XCTAssertEqual(withdrawn.status, .seeOther)
            let checked9 = try await userInfo(app, tokens["access_token"] as! String).status
            XCTAssertEqual(checked9, .unauthorized)
            let refreshed = try await post(app, "/oidc/token", ["grant_type": "refresh_token", "client_id": client.id,
                                                                 "refresh_token": tokens["refresh_token"] as! String])
            XCTAssertEqual(refreshed.status, .badRequest)
            // The other client's consent and tokens are untouched.
            let checked10 = try await userInfo(app, otherTokens["access_token"] as! String).status
            XCTAssertEqual(checked10, .ok)
            // Signing in to the client again asks for consent again.
            let again = try await browser.get(authorizePath(client))
            XCTAssertEqual(again.status, .ok)
            XCTAssertTrue(again.text.contains("name=\"decision\""))
        }
    }

    func testDenyingConsentSendsAccessDeniedAndIssuesNoCode() async throws {
        try await withTestApp { app in
            let client = try await register(app)
            let patron = try await activateCard(app, try await submitApplication(app))
            let browser = TestBrowser(app)
            try await browser.get(authorizePath(client))
            try await browser.post("/oidc/sign-in", form: ["identifier": patron.cardNumber!, "password": "river lantern mango"])
            try await browser.get("/oidc/continue")
            let denied = try await browser.post("/oidc/consent", form: ["decision": "deny"])
            XCTAssertEqual(denied.status, .seeOther)
            XCTAssertEqual(query(denied.headers.first(name: .location))["error"], "access_denied")
            let checked11 = try await OIDCAuthorizationCode.query(on: app.db).count()
            XCTAssertEqual(checked11, 0)
            let checked12 = try await ConsentRecord.query(on: app.db).filter(\.$channel == "oidc").count()
            XCTAssertEqual(checked12, 0)
        }
    }

    // MARK: Keys

    func testARotatedKeyStaysPublishedUntilItsIDTokensHaveExpired() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let client = try await register(app)
            let patron = try await activateCard(app, try await submitApplication(app))
            let tokens = try json(try await exchange(app, client, code: try await code(app, TestBrowser(app), client, patron: patron)))
            let idToken = try XCTUnwrap(tokens["id_token"] as? String)
            let old = try await OIDCSigningKey.query(on: app.db).first()
            XCTAssertNotEqual(old?.privateKeySealed.contains("PRIVATE KEY"), true, "the private key is sealed")
            try await OIDCKeyRing(database: app.db, vault: app.vault, cache: app.oidcKeyCache, tokenLifetime: 600, now: clock.now).rotate()

            // The next ID token is signed with the new key at once.
            let next = try json(try await exchange(app, client, code: try await code(app, TestBrowser(app), client, patron: patron)))
            let header = try XCTUnwrap((next["id_token"] as? String)?.split(separator: ".").first.map(String.init))
            let padded = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
                + String(repeating: "=", count: (4 - header.count % 4) % 4)
            let kid = try XCTUnwrap(JSONSerialization.jsonObject(with: XCTUnwrap(Data(base64Encoded: padded))) as? [String: Any])["kid"] as? String
            XCTAssertNotNil(kid)
            XCTAssertNotEqual(kid, old?.kid)
            let both = try await app.testable().sendRequest(.GET, "/oidc/jwks.json")
            XCTAssertEqual((try json(both)["keys"] as? [Any])?.count, 2)
            _ = try await JWTKeyCollection().add(jwksJSON: both.text).verify(idToken, as: OIDCIDToken.self)
            clock.advance(by: 601)
            let later = try await app.testable().sendRequest(.GET, "/oidc/jwks.json")
            let kids = (try json(later)["keys"] as? [[String: Any]])?.compactMap { $0["kid"] as? String }
            XCTAssertEqual(kids?.count, 1)
            XCTAssertFalse(kids?.contains(old!.kid) ?? true)
        }
    }

    // MARK: RS256 (#15 item 1, keys)

    func base64URLDecoded(_ text: String?) -> Data? {
        guard let text else { return nil }
        let padded = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            + String(repeating: "=", count: (4 - text.count % 4) % 4)
        return Data(base64Encoded: padded)
    }

    /// A JWT's header, decoded without checking anything.
    func header(_ jwt: String?) throws -> [String: Any] {
        let part = try XCTUnwrap(jwt?.split(separator: ".").first.map(String.init))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: XCTUnwrap(base64URLDecoded(part))) as? [String: Any])
    }

    /// The published keys of one kind (`EC` or `RSA`), as a JWKS document of their own.
    func keys(_ jwks: XCTHTTPResponse, kty: String) throws -> (json: String, keys: [[String: Any]]) {
        let keys = try XCTUnwrap(try json(jwks)["keys"] as? [[String: Any]]).filter { $0["kty"] as? String == kty }
        return (String(decoding: try JSONSerialization.data(withJSONObject: ["keys": keys]), as: UTF8.self), keys)
    }

    func testAnRS256ClientsIDTokenVerifiesWithThePublishedRSAKeyAndAnES256ClientsWithTheECKey() async throws {
        try await withTestApp { app in
            let ec = try await register(app, id: "ebooks")
            let rsa = try await register(app, id: "audiobooks", idTokenAlg: "RS256")
            let patron = try await activateCard(app, try await submitApplication(app))
            let discovery = try json(try await app.testable().sendRequest(.GET, "/.well-known/openid-configuration"))
            XCTAssertEqual(discovery["id_token_signing_alg_values_supported"] as? [String], ["ES256", "RS256"])

            // Both kinds are published before the first ID token: a relying party may read the keys first.
            let before = try await app.testable().sendRequest(.GET, "/oidc/jwks.json")
            let rsaKeys = try keys(before, kty: "RSA").keys
            let ecKeys = try keys(before, kty: "EC").keys
            XCTAssertEqual(rsaKeys.count, 1)
            XCTAssertEqual(ecKeys.count, 1)
            let published = try XCTUnwrap(rsaKeys.first)
            XCTAssertEqual(published["alg"] as? String, "RS256")
            XCTAssertEqual(published["use"] as? String, "sig")
            XCTAssertEqual(published["e"] as? String, "AQAB")
            XCTAssertNotNil(published["kid"] as? String)
            XCTAssertNil(published["d"], "no private part")
            let modulus = try XCTUnwrap(base64URLDecoded(published["n"] as? String))
            XCTAssertGreaterThanOrEqual(modulus.count * 8, 2048)
            XCTAssertEqual(ecKeys.first?["alg"] as? String, "ES256")
            XCTAssertEqual(ecKeys.first?["crv"] as? String, "P-256")

            let browser = TestBrowser(app)
            let rsaTokens = try json(try await exchange(app, rsa, code: try await code(app, browser, rsa, patron: patron)))
            let ecTokens = try json(try await exchange(app, ec, code: try await code(app, browser, ec, patron: patron)))
            let rsaIDToken = try XCTUnwrap(rsaTokens["id_token"] as? String)
            let ecIDToken = try XCTUnwrap(ecTokens["id_token"] as? String)
            XCTAssertEqual(try header(rsaIDToken)["alg"] as? String, "RS256")
            XCTAssertEqual(try header(rsaIDToken)["kid"] as? String, published["kid"] as? String)
            XCTAssertEqual(try header(ecIDToken)["alg"] as? String, "ES256")

            // Each verifies with its own kind of key alone, and not with the other kind.
            let jwks = try await app.testable().sendRequest(.GET, "/oidc/jwks.json")
            let onlyRSA = try await JWTKeyCollection().add(jwksJSON: try keys(jwks, kty: "RSA").json)
            let onlyEC = try await JWTKeyCollection().add(jwksJSON: try keys(jwks, kty: "EC").json)
            let verified = try await onlyRSA.verify(rsaIDToken, as: OIDCIDToken.self)
            XCTAssertEqual(verified.aud, "audiobooks")
            XCTAssertEqual(verified.nonce, "n-0S6_WzA2Mj")
            XCTAssertEqual(verified.atHash, Data(SHA256.hash(data: Data(try XCTUnwrap(rsaTokens["access_token"] as? String).utf8)).prefix(16))
                .base64URLEncodedString())
            let verifiedEC = try await onlyEC.verify(ecIDToken, as: OIDCIDToken.self)
            XCTAssertEqual(verifiedEC.aud, "ebooks")
            await XCTAssertThrowsErrorAsync(try await onlyEC.verify(rsaIDToken, as: OIDCIDToken.self)) { _ in }
            await XCTAssertThrowsErrorAsync(try await onlyRSA.verify(ecIDToken, as: OIDCIDToken.self)) { _ in }

            // The private key is sealed in the database, under the signing keys' context.
            let row = try await XCTUnwrapAsync(try await OIDCSigningKey.query(on: app.db).filter(\.$algorithm == "RS256").first())
            XCTAssertFalse(row.privateKeySealed.contains("PRIVATE KEY"))
            XCTAssertFalse(row.privateKeySealed.contains("MII"))
            let opened = try app.vault.open(row.privateKeySealed, context: OIDCKeyRing.sealContext)
            XCTAssertTrue(opened.contains("PRIVATE KEY"))
            XCTAssertThrowsError(try app.vault.open(row.privateKeySealed, context: "something.else"))

            // Logout takes an RS256 ID token as its hint like an ES256 one.
            let logout = try await browser.get("/oidc/logout?id_token_hint=\(rsaIDToken)&post_logout_redirect_uri=\(Self.redirect)&state=bye")
            XCTAssertTrue([.seeOther, .found].contains(logout.status), "\(logout.status) \(logout.text)")
            XCTAssertEqual(logout.headers.first(name: .location), Self.redirect + "?state=bye")
        }
    }

    func testRotationStartsANewRSAKeyAndKeepsTheOldOnePublishedUntilItsIDTokensHaveExpired() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let client = try await register(app, idTokenAlg: "RS256")
            let patron = try await activateCard(app, try await submitApplication(app))
            let first = try json(try await exchange(app, client, code: try await code(app, TestBrowser(app), client, patron: patron)))
            let oldToken = try XCTUnwrap(first["id_token"] as? String)
            let oldKid = try XCTUnwrap(try header(oldToken)["kid"] as? String)

            let rotated = try await OIDCKeyRing(database: app.db, vault: app.vault, cache: app.oidcKeyCache, tokenLifetime: 600, now: clock.now).rotate()
            XCTAssertEqual(rotated.map(\.algorithm).sorted(), ["ES256", "RS256"], "rotation starts a key of each algorithm in use")

            let next = try json(try await exchange(app, client, code: try await code(app, TestBrowser(app), client, patron: patron)))
            let newToken = try XCTUnwrap(next["id_token"] as? String)
            let newKid = try XCTUnwrap(try header(newToken)["kid"] as? String)
            XCTAssertEqual(try header(newToken)["alg"] as? String, "RS256")
            XCTAssertNotEqual(newKid, oldKid)
            let both = try await app.testable().sendRequest(.GET, "/oidc/jwks.json")
            let rsaKeys = try keys(both, kty: "RSA")
            XCTAssertEqual(Set(rsaKeys.keys.compactMap { $0["kid"] as? String }), [oldKid, newKid])
            let published = try await JWTKeyCollection().add(jwksJSON: rsaKeys.json)
            _ = try await published.verify(oldToken, as: OIDCIDToken.self)
            _ = try await published.verify(newToken, as: OIDCIDToken.self)

            clock.advance(by: 601)
            let later = try await app.testable().sendRequest(.GET, "/oidc/jwks.json")
            XCTAssertEqual(try keys(later, kty: "RSA").keys.compactMap { $0["kid"] as? String }, [newKid])
        }
    }

    func testTheConsortiumAdministratorSetsTheIDTokenSignatureAndIntrospectionOnThePage() async throws {
        try await withTestApp { app in
            let admin = try await signedInStaff(app, role: "consortium_admin", library: "NLPI", email: "oidc@nlpi.example")
            _ = try await admin.get("/staff/oidc/clients")
            var components = URLComponents()
            components.queryItems = [
                .init(name: "name", value: "有聲書平台"), .init(name: "homePage", value: "https://audio.example"),
                .init(name: "clientID", value: "audio"), .init(name: "redirectURIs", value: "https://audio.example/cb"),
                .init(name: "scopes[]", value: "profile"), .init(name: "libraries[]", value: "NLPI"), .init(name: "kind", value: "confidential"),
                .init(name: "idTokenAlg", value: "RS256"), .init(name: "introspectsAnyToken", value: "yes"),
                .init(name: "_csrf", value: admin.lastCSRFToken),
            ]
            var headers = HTTPHeaders()
            headers.contentType = .urlEncodedForm
            headers.replaceOrAdd(name: .cookie, value: admin.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
            let created = try await app.testable().sendRequest(.POST, "/staff/oidc/clients", headers: headers,
                                                               body: ByteBuffer(string: components.percentEncodedQuery!))
            XCTAssertEqual(created.status, .created, created.text)
            let client = try await XCTUnwrapAsync(try await OIDCClient.query(on: app.db).filter(\.$clientID == "audio").first())
            XCTAssertEqual(client.idTokenAlgorithm, .rs256)
            XCTAssertTrue(client.introspectsAnyToken)
            let made = try await XCTUnwrapAsync(try await AuditEvent.query(on: app.db).filter(\.$action == "oidc.client_created").first())
            XCTAssertTrue(made.details?.contains("RS256") == true, made.details ?? "")

            // The page shows both settings of every client (in English too, below).
            let page = try await admin.get("/staff/oidc/clients")
            XCTAssertTrue(page.text.contains("<option value=\"RS256\" selected>RS256</option>"), page.text)
            XCTAssertTrue(page.text.contains("name=\"introspectsAnyToken\" value=\"yes\" checked"))
            XCTAssertTrue(page.text.contains("ID 權杖簽章"))
            XCTAssertTrue(page.text.contains("action=\"/staff/oidc/clients/audio/settings\""))

            // Back to ES256, no longer a resource server: saved and audited.
            let changed = try await admin.post("/staff/oidc/clients/audio/settings", form: ["idTokenAlg": "ES256"])
            XCTAssertEqual(changed.status, .ok, changed.text)
            XCTAssertTrue(changed.text.contains("已更新 audio 的設定"))
            let after = try await XCTUnwrapAsync(try await OIDCClient.query(on: app.db).filter(\.$clientID == "audio").first())
            XCTAssertEqual(after.idTokenAlgorithm, .es256)
            XCTAssertFalse(after.introspectsAnyToken)
            let audit = try await AuditEvent.query(on: app.db).filter(\.$action == "oidc.client_changed").all()
            XCTAssertEqual(audit.count, 1)
            XCTAssertEqual(audit.first?.actorType, "staff")
            XCTAssertTrue(audit.first?.details?.contains("RS256 → ES256") == true, audit.first?.details ?? "")
            XCTAssertTrue(audit.first?.details?.contains("\"introspects_any_token\":\"no\"") == true, audit.first?.details ?? "")

            // Only the two algorithms; the refusal changes nothing.
            let refused = try await admin.post("/staff/oidc/clients/audio/settings", form: ["idTokenAlg": "HS256", "introspectsAnyToken": "yes"])
            XCTAssertEqual(refused.status, .unprocessableEntity)
            XCTAssertTrue(refused.text.contains("ID 權杖簽章請選擇 ES256 或 RS256"))
            let unchanged = try await XCTUnwrapAsync(try await OIDCClient.query(on: app.db).filter(\.$clientID == "audio").first())
            XCTAssertEqual(unchanged.idTokenAlgorithm, .es256)
            XCTAssertFalse(unchanged.introspectsAnyToken)
            let stillOne = try await AuditEvent.query(on: app.db).filter(\.$action == "oidc.client_changed").count()
            XCTAssertEqual(stillOne, 1)
            // (After the checks above: choosing English stays with the session.)
            let english = try await admin.get("/staff/oidc/clients?lang=en")
            XCTAssertTrue(english.text.contains("ID token signature"))
            XCTAssertTrue(english.text.contains("May introspect every service"))

            // Nobody else may.
            let desk = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let forbidden = try await desk.post("/staff/oidc/clients/audio/settings", form: ["idTokenAlg": "RS256"])
            XCTAssertEqual(forbidden.status, .forbidden)
            let stillES = try await XCTUnwrapAsync(try await OIDCClient.query(on: app.db).filter(\.$clientID == "audio").first())
            XCTAssertEqual(stillES.idTokenAlgorithm, .es256)
        }
    }

    func testTheDatabaseRefusesAnIDTokenAlgorithmOtherThanES256OrRS256() async throws {
        try await withTestApp { app in
            _ = try await register(app, id: "ebooks")
            let stored = try await (app.db as! any SQLDatabase).raw("SELECT id_token_signed_response_alg AS alg FROM oidc_clients")
                .first()?.decode(column: "alg", as: String.self)
            XCTAssertEqual(stored, "ES256")
            do {
                try await (app.db as! any SQLDatabase).raw("UPDATE oidc_clients SET id_token_signed_response_alg = 'HS256'").run()
                XCTFail("the database took HS256")
            } catch {}
            do {
                _ = try await register(app, id: "other", idTokenAlg: "none")
                XCTFail("registered with alg none")
            } catch let error as OIDCClientError {
                XCTAssertEqual(error, .idTokenAlgorithmInvalid)
            }
        }
    }

    // MARK: Administration

    func testAConsortiumAdministratorRegistersAClientOnTheWebAndOtherStaffCannot() async throws {
        try await withTestApp { app in
            let desk = try await signedInStaff(app, role: "admin", email: "admin@tpml.example")
            let checked13 = try await desk.get("/staff/oidc/clients").status
            XCTAssertEqual(checked13, .forbidden)

            let admin = try await signedInStaff(app, role: "consortium_admin", library: "NLPI", email: "oidc@nlpi.example")
            let home = try await admin.get("/staff")
            XCTAssertTrue(home.text.contains("/staff/oidc/clients"))
            XCTAssertFalse(home.text.contains("/staff/applications\""))
            let checked14 = try await admin.get("/staff/oidc/clients").status
            XCTAssertEqual(checked14, .ok)
            var components = URLComponents()
            components.queryItems = [
                .init(name: "name", value: "國資圖電子資源"), .init(name: "homePage", value: "https://ebook.nlpi.example"),
                .init(name: "clientID", value: "nlpi-eresources"), .init(name: "redirectURIs", value: "https://ebook.nlpi.example/cb"),
                .init(name: "scopes[]", value: "profile"), .init(name: "scopes[]", value: "card"),
                .init(name: "libraries[]", value: "NLPI"), .init(name: "libraries[]", value: "TCPL"),
                .init(name: "allDigitalCards", value: "yes"), .init(name: "kind", value: "confidential"),
                .init(name: "_csrf", value: admin.lastCSRFToken),
            ]
            var headers = HTTPHeaders()
            headers.contentType = .urlEncodedForm
            headers.replaceOrAdd(name: .cookie, value: admin.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
            let created = try await app.testable().sendRequest(.POST, "/staff/oidc/clients", headers: headers,
                                                               body: ByteBuffer(string: components.percentEncodedQuery!))
            XCTAssertEqual(created.status, .created, created.text)
            XCTAssertTrue(created.text.contains("id=\"client-secret\""))
            let client = try await XCTUnwrapAsync(try await OIDCClient.query(on: app.db).filter(\.$clientID == "nlpi-eresources").first())
            XCTAssertEqual(client.libraryCodes, ["NLPI", "TCPL"])
            XCTAssertTrue(client.allDigitalCards)
            XCTAssertEqual(client.scopes, ["openid", "profile", "card"])
            XCTAssertTrue(client.admits(cardKind: .digital, libraryCode: "TPML"))
            XCTAssertFalse(client.admits(cardKind: .physical, libraryCode: "TPML"))

            let disabled = try await admin.post("/staff/oidc/clients/nlpi-eresources/disable", form: [:])
            XCTAssertEqual(disabled.status, .ok)
            let after = try await OIDCClient.query(on: app.db).filter(\.$clientID == "nlpi-eresources").first()
            XCTAssertNotNil(after?.disabledAt)
        }
    }

    // MARK: Introspection re-checks (#15 item 3)

    /// A confidential client's tokens, and the resource server that introspects them.
    func introspectionSetup(_ app: Application) async throws -> (client: Client, patron: Patron, tokens: [String: Any]) {
        let client = try await register(app, confidential: true)
        let patron = try await activateCard(app, try await submitApplication(app))
        let code = try await code(app, TestBrowser(app), client, patron: patron)
        let tokens = try json(try await post(app, "/oidc/token", ["grant_type": "authorization_code", "code": code, "redirect_uri": Self.redirect,
                                                                   "code_verifier": Self.verifier], basic: (client.id, client.secret!)))
        return (client, patron, tokens)
    }

    func introspect(_ app: Application, _ client: Client, _ token: Any?) async throws -> [String: Any] {
        let response = try await post(app, "/oidc/introspect", ["token": try XCTUnwrap(token as? String)], basic: (client.id, client.secret!))
        XCTAssertEqual(response.status, .ok, response.text)
        return try json(response)
    }

    func testIntrospectionAnswersInactiveOnceTheCardIsSuspendedAndActiveAgainWhenReinstated() async throws {
        try await withTestApp { app in
            let (client, patron, tokens) = try await introspectionSetup(app)
            let active = try await introspect(app, client, tokens["access_token"])
            XCTAssertEqual(active["active"] as? Bool, true)
            patron.suspendedAt = app.clock.now()
            patron.suspensionReason = "逾期未還"
            try await patron.save(on: app.db)
            for token in [tokens["access_token"], tokens["refresh_token"]] {
                let suspended = try await introspect(app, client, token)
                XCTAssertEqual(suspended["active"] as? Bool, false)
                XCTAssertEqual(suspended.count, 1, "nothing but active: false")
            }
            patron.suspendedAt = nil
            patron.suspensionReason = nil
            try await patron.save(on: app.db)
            let reinstated = try await introspect(app, client, tokens["access_token"])
            XCTAssertEqual(reinstated["active"] as? Bool, true)
        }
    }

    func testIntrospectionAnswersInactiveOnceTheCardsValidUntilHasPassed() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let (client, patron, tokens) = try await introspectionSetup(app)
            patron.cardValidUntil = CalendarDay(date: clock.now, timeZone: .taipei).iso
            try await patron.save(on: app.db)
            let lastDay = try await introspect(app, client, tokens["refresh_token"])
            XCTAssertEqual(lastDay["active"] as? Bool, true)
            clock.advance(by: 2 * 86_400)
            let expired = try await introspect(app, client, tokens["refresh_token"])
            XCTAssertEqual(expired["active"] as? Bool, false)
            // The refresh token itself is refused too.
            let refreshed = try await post(app, "/oidc/token", ["grant_type": "refresh_token", "refresh_token": tokens["refresh_token"] as! String],
                                           basic: (client.id, client.secret!))
            XCTAssertEqual(refreshed.status, .badRequest)
        }
    }

    func testIntrospectionAnswersInactiveOnceTheReadersConsentHasEndedWhereverItEnded() async throws {
        try await withTestApp { app in
            let (client, patron, tokens) = try await introspectionSetup(app)
            // Consents end in several places (erasure, a rejected digital card, the account page); some of them
            // end every consent of the reader at once without going through the OIDC provider.
            try await ConsentRecord.query(on: app.db).filter(\.$patron.$id == patron.requireID()).set(\.$withdrawnAt, to: app.clock.now()).update()
            for token in [tokens["access_token"], tokens["refresh_token"]] {
                let withdrawn = try await introspect(app, client, token)
                XCTAssertEqual(withdrawn["active"] as? Bool, false)
            }
            let checked = try await userInfo(app, tokens["access_token"] as! String).status
            XCTAssertEqual(checked, .unauthorized)
            let refreshed = try await post(app, "/oidc/token", ["grant_type": "refresh_token", "refresh_token": tokens["refresh_token"] as! String],
                                           basic: (client.id, client.secret!))
            XCTAssertEqual(refreshed.status, .badRequest)
        }
    }

    func testIntrospectionAnswersInactiveForAnErasedReader() async throws {
        try await withTestApp { app in
            let (client, patron, tokens) = try await introspectionSetup(app)
            patron.status = .erased
            patron.erasePersonalData()
            try await patron.save(on: app.db)
            let erased = try await introspect(app, client, tokens["access_token"])
            XCTAssertEqual(erased["active"] as? Bool, false)
        }
    }

    func testAResourceServerRegisteredForItMayIntrospectAnyClientsTokensAndOnlyWhileTheClientIsEnabled() async throws {
        try await withTestApp { app in
            let (client, _, tokens) = try await introspectionSetup(app)
            let (registered, secret) = try await OIDCClients(database: app.db, now: app.clock.now()).create(
                .init(clientID: "resource-server", name: "API", homePage: "https://api.ebooks.example", redirectURIs: ["https://api.ebooks.example/cb"],
                      scopes: ["openid"], libraryCodes: ["TPML"], allDigitalCards: false, confidential: true, introspectsAnyToken: true),
                by: .commandLine)
            let resourceServer = Client(id: registered.clientID, secret: secret)
            let answer = try await introspect(app, resourceServer, tokens["access_token"])
            XCTAssertEqual(answer["active"] as? Bool, true)
            XCTAssertEqual(answer["client_id"] as? String, client.id, "the token's client, not the asker")
            XCTAssertEqual(answer["aud"] as? String, client.id)
            // A client not registered for it learns nothing of another client's token.
            let other = try await register(app, id: "other", confidential: true)
            let otherAsks = try await introspect(app, other, tokens["access_token"])
            XCTAssertEqual(otherAsks["active"] as? Bool, false)

            // The token's client is disabled without its tokens being touched (a disabled_at set by an older
            // process, or by hand): the resource server is told the token is not active.
            try await OIDCClient.query(on: app.db).filter(\.$clientID == client.id).set(\.$disabledAt, to: app.clock.now()).update()
            let disabled = try await introspect(app, resourceServer, tokens["access_token"])
            XCTAssertEqual(disabled["active"] as? Bool, false)
        }
    }

    // MARK: Housekeeping (#15)

    func testHousekeepingDeletesExpiredCodesAndTokensAndKeepsWhatCanStillBeUsed() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let client = try await register(app)
            let patron = try await activateCard(app, try await submitApplication(app))
            let browser = TestBrowser(app)
            let tokens = try json(try await exchange(app, client, code: try await code(app, browser, client, patron: patron)))
            _ = try await code(app, browser, client, patron: patron)  // never exchanged
            func counts() async throws -> (codes: Int, tokens: Int) {
                (try await OIDCAuthorizationCode.query(on: app.db).count(), try await OIDCToken.query(on: app.db).count())
            }
            let start = try await counts()
            XCTAssertEqual(start.codes, 2)
            XCTAssertEqual(start.tokens, 2)

            // Expired codes stay a while, so a replay still revokes what the code issued.
            clock.advance(by: 61)
            try await OIDCHousekeeping.deleteExpired(now: clock.now, on: app.db)
            let early = try await counts()
            XCTAssertEqual(early.codes, 2)
            XCTAssertEqual(early.tokens, 2)

            clock.advance(by: 600)
            try await OIDCHousekeeping.deleteExpired(now: clock.now, on: app.db)
            let later = try await counts()
            XCTAssertEqual(later.codes, 0)
            XCTAssertEqual(later.tokens, 1, "the expired access token is gone; the refresh token lives 30 days")
            let remaining = try await OIDCToken.query(on: app.db).first()
            XCTAssertEqual(remaining?.kind, .refresh)
            let refreshed = try await post(app, "/oidc/token", ["grant_type": "refresh_token", "client_id": client.id,
                                                                 "refresh_token": try XCTUnwrap(tokens["refresh_token"] as? String)])
            XCTAssertEqual(refreshed.status, .ok, refreshed.text)

            clock.advance(by: 31 * 86_400)
            try await OIDCHousekeeping.deleteExpired(now: clock.now, on: app.db)
            let end = try await counts()
            XCTAssertEqual(end.codes, 0)
            XCTAssertEqual(end.tokens, 0)
        }
    }

    // MARK: Group commit (#15 item 1)

    func testConcurrentExchangesAreEachAuditedAndACodeSentManyTimesAtOnceIsExchangedOnce() async throws {
        try await withTestApp { app in
            let client = try await register(app)
            let patron = try await activateCard(app, try await submitApplication(app))
            let browser = TestBrowser(app)
            var codes: [String] = []
            for _ in 0..<12 { codes.append(try await code(app, browser, client, patron: patron)) }
            let replayed = try await code(app, browser, client, patron: patron)
            // Twelve codes and the thirteenth four times, all at once: they are written in batches.
            let statuses = try await withThrowingTaskGroup(of: (String, HTTPResponseStatus).self) { group in
                for code in codes + Array(repeating: replayed, count: 4) {
                    var form = URLComponents()
                    form.queryItems = [.init(name: "grant_type", value: "authorization_code"), .init(name: "code", value: code),
                                       .init(name: "redirect_uri", value: Self.redirect), .init(name: "client_id", value: client.id),
                                       .init(name: "code_verifier", value: Self.verifier)]
                    let body = form.percentEncodedQuery!
                    group.addTask {
                        let response = try await app.testable().sendRequest(.POST, "/oidc/token", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                                                            body: ByteBuffer(string: body))
                        return (code, response.status)
                    }
                }
                var all: [(String, HTTPResponseStatus)] = []
                for try await answer in group { all.append(answer) }
                return all
            }
            XCTAssertEqual(statuses.filter { $0.0 != replayed }.map(\.1), Array(repeating: .ok, count: 12))
            XCTAssertEqual(statuses.filter { $0.0 == replayed && $0.1 == .ok }.count, 1, "one exchange of the code wins")
            XCTAssertEqual(statuses.filter { $0.0 == replayed && $0.1 == .badRequest }.count, 3)
            let issued = try await AuditEvent.query(on: app.db).filter(\.$action == "oidc.tokens_issued").count()
            XCTAssertEqual(issued, 13)
            // The replays revoked what the winner was given.
            let live = try await OIDCToken.query(on: app.db).filter(\.$grantID == OIDCAuthorizationCode.query(on: app.db)
                .filter(\.$codeHash == OneTimeToken.hash(replayed)).first()!.requireID()).filter(\.$revokedAt == nil).count()
            XCTAssertEqual(live, 0)
            let tokens = try await OIDCToken.query(on: app.db).count()
            XCTAssertEqual(tokens, 26)
        }
    }
}
