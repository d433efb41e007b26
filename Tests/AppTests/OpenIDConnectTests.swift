import CryptoExtras
import Foundation
import JWTKit
import NIOConcurrencyHelpers
import XCTVapor
@testable import App

/// The ID token checks and the discovery/JWKS cache, with tokens signed by the tests' own keys: what a
/// well-behaved provider never sends (wrong audience, `alg: none`, a rotated key) has to be made by hand.
final class OpenIDConnectTests: XCTestCase {
    static let issuer = "https://id.taipei.example"
    static let clientID = "onecard"

    /// A signing key of the test's "provider", with its public JWK.
    struct TestKey {
        let collection: JWTKeyCollection
        let kid: String
        let jwk: [String: String]

        static func es256(kid: String = "ec-1") async -> TestKey {
            let key = ES256PrivateKey()
            let collection = JWTKeyCollection()
            await collection.add(ecdsa: key, kid: JWKIdentifier(string: kid))
            let (x, y) = key.parameters!
            return TestKey(collection: collection, kid: kid, jwk: ["kty": "EC", "crv": "P-256", "kid": kid, "x": x, "y": y, "use": "sig"])
        }

        static func rs256(kid: String = "rsa-1") async throws -> TestKey {
            let key = try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
            let collection = JWTKeyCollection()
            await collection.add(rsa: key, digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
            let (n, e) = try key.publicKey.getKeyPrimitives()
            return TestKey(collection: collection, kid: kid, jwk: ["kty": "RSA", "kid": kid, "n": n.base64URLEncodedString(),
                                                                    "e": e.base64URLEncodedString(), "alg": "RS256"])
        }

        var signingKey: OpenIDSigningKey {
            get throws {
                let data = try JSONSerialization.data(withJSONObject: ["keys": [jwk]])
                return try XCTUnwrap(OpenIDSigningKey.keys(fromJWKS: data).first)
            }
        }

        func sign(_ claims: Claims, kid: String? = nil) async throws -> String {
            try await collection.sign(claims, kid: JWKIdentifier(string: kid ?? self.kid))
        }
    }

    struct Claims: JWTPayload {
        var iss = OpenIDConnectTests.issuer
        var sub = "citizen-42"
        var aud = [OpenIDConnectTests.clientID]
        var exp: Double
        var iat: Double
        var nonce: String? = "nonce-1"
        var azp: String?

        init(now: Date) {
            exp = now.timeIntervalSince1970 + 300
            iat = now.timeIntervalSince1970
        }

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let verifier = IDTokenVerifier(issuer: OpenIDConnectTests.issuer, clientID: OpenIDConnectTests.clientID)

    func verify(_ token: String, with key: TestKey, nonce: String = "nonce-1", at time: Date? = nil) async throws -> IDTokenClaims {
        let signingKey = try key.signingKey
        return try await verifier.verify(token, nonce: nonce, now: time ?? now) { keyID, algorithm in
            keyID == signingKey.keyID && algorithm == signingKey.algorithm ? signingKey : nil
        }
    }

    func assertRefused(_ token: String, with key: TestKey, nonce: String = "nonce-1", at time: Date? = nil, because expected: IDTokenRejection,
                       file: StaticString = #filePath, line: UInt = #line) async throws {
        do {
            _ = try await verify(token, with: key, nonce: nonce, at: time)
            XCTFail("accepted a token that should be refused (\(expected))", file: file, line: line)
        } catch let rejection as IDTokenRejection {
            XCTAssertEqual(rejection, expected, file: file, line: line)
        }
    }

    func testValidRS256AndES256TokensAreAccepted() async throws {
        for key in [try await TestKey.rs256(), await TestKey.es256()] {
            let claims = try await verify(try await key.sign(Claims(now: now)), with: key)
            XCTAssertEqual(claims.sub, "citizen-42")
            XCTAssertEqual(claims.iss, Self.issuer)
        }
    }

    func testEveryClaimThatIsWrongIsRefused() async throws {
        let key = await TestKey.es256()
        var claims = Claims(now: now)
        claims.iss = "https://evil.example"
        try await assertRefused(try await key.sign(claims), with: key, because: .wrongIssuer)

        claims = Claims(now: now)
        claims.aud = ["another-client"]
        try await assertRefused(try await key.sign(claims), with: key, because: .wrongAudience)
        claims.aud = [Self.clientID, "another-client"]
        try await assertRefused(try await key.sign(claims), with: key, because: .wrongAudience)
        claims.aud = [Self.clientID]
        claims.azp = "another-client"
        try await assertRefused(try await key.sign(claims), with: key, because: .wrongAudience)

        let token = try await key.sign(Claims(now: now))
        _ = try await verify(token, with: key, at: now.addingTimeInterval(300 + 59))
        try await assertRefused(token, with: key, at: now.addingTimeInterval(300 + 61), because: .expired)
        _ = try await verify(token, with: key, at: now.addingTimeInterval(-59))
        try await assertRefused(token, with: key, at: now.addingTimeInterval(-61), because: .issuedInFuture)

        try await assertRefused(token, with: key, nonce: "nonce-2", because: .nonceMismatch)
        claims = Claims(now: now)
        claims.nonce = nil
        try await assertRefused(try await key.sign(claims), with: key, because: .nonceMismatch)

        claims = Claims(now: now)
        claims.sub = ""
        try await assertRefused(try await key.sign(claims), with: key, because: .missingSubject)
    }

    func testUnsignedHMACAndForeignSignaturesAreRefused() async throws {
        let key = try await TestKey.rs256()
        let good = try await key.sign(Claims(now: now))
        let parts = good.split(separator: ".").map(String.init)

        func header(_ json: String) -> String { Data(json.utf8).base64URLEncodedString() }
        try await assertRefused(header(#"{"alg":"none","kid":"rsa-1"}"#) + "." + parts[1] + ".", with: key, because: .unsupportedAlgorithm)
        // HS256 "keyed" with the public key is the classic confusion; the algorithm is refused before any key is used.
        try await assertRefused(header(#"{"alg":"HS256","kid":"rsa-1"}"#) + "." + parts[1] + "." + parts[2], with: key, because: .unsupportedAlgorithm)
        try await assertRefused(header(#"{"alg":"RS256","kid":"rsa-1","crit":["exp"]}"#) + "." + parts[1] + "." + parts[2], with: key,
                                because: .unsupportedAlgorithm)
        // Claims changed after signing.
        var tampered = Claims(now: now)
        tampered.sub = "someone-else"
        let tamperedPayload = try JSONEncoder().encode(tampered).base64URLEncodedString()
        try await assertRefused(parts[0] + "." + tamperedPayload + "." + parts[2], with: key, because: .badSignature)
        // Signed by a key the provider does not publish, under a published key id.
        let stranger = try await TestKey.rs256(kid: "rsa-1")
        try await assertRefused(try await stranger.sign(Claims(now: now)), with: key, because: .badSignature)
        // An ES256 header cannot borrow the RSA key.
        let ecdsa = await TestKey.es256(kid: "rsa-1")
        try await assertRefused(try await ecdsa.sign(Claims(now: now)), with: key, because: .unknownKey)
        try await assertRefused(try await key.sign(Claims(now: now), kid: "rsa-2"), with: key, because: .unknownKey)
        try await assertRefused("not-a-token", with: key, because: .malformed)
    }

    func testJWKSKeepsOnlySigningKeysOfTheTwoAlgorithms() async throws {
        let rsa = try await TestKey.rs256()
        let ec = await TestKey.es256()
        var encryption = rsa.jwk
        encryption["use"] = "enc"
        encryption["kid"] = "enc-1"
        var pss = rsa.jwk
        pss["alg"] = "PS256"
        pss["kid"] = "pss-1"
        let p384: [String: String] = ["kty": "EC", "crv": "P-384", "kid": "p384", "x": "AA", "y": "AA"]
        let data = try JSONSerialization.data(withJSONObject: ["keys": [rsa.jwk, ec.jwk, encryption, pss, p384, ["kty": "oct", "k": "c2VjcmV0"]]])
        let keys = try OpenIDSigningKey.keys(fromJWKS: data)
        XCTAssertEqual(keys.map(\.keyID), ["rsa-1", "ec-1"])
        XCTAssertEqual(keys.map(\.algorithm), [.rs256, .es256])
    }

    func testConfigurationNeedsIssuerAndClientIDAndHTTPSOutsideLoopback() throws {
        func parse(_ issuer: String?, _ clientID: String?, _ secret: String? = nil, production: Bool = false) throws -> TaipeiPassSettings? {
            try TaipeiPassSettings.fromEnvironment(issuer: issuer, clientID: clientID, clientSecret: secret, production: production)
        }
        XCTAssertNil(try parse(nil, nil), "unset: Taipei Pass is off")
        XCTAssertEqual(try parse("https://id.taipei.example", "onecard", "s3cret"),
                       TaipeiPassSettings(issuer: "https://id.taipei.example", clientID: "onecard", clientSecret: "s3cret"))
        XCTAssertEqual(try parse("http://127.0.0.1:9400", "onecard")?.discoveryURL, "http://127.0.0.1:9400/.well-known/openid-configuration")
        XCTAssertEqual(try parse("https://id.example/realms/taipei/", "onecard")?.discoveryURL,
                       "https://id.example/realms/taipei/.well-known/openid-configuration")
        func refused(_ issuer: String?, _ clientID: String?, _ secret: String? = nil, production: Bool = false, variable: String,
                     line: UInt = #line) {
            XCTAssertThrowsError(try parse(issuer, clientID, secret, production: production), line: line) { error in
                XCTAssertEqual((error as? ConfigurationError)?.variable, variable, line: line)
            }
        }
        refused("https://id.taipei.example", nil, variable: "ONECARD_TAIPEI_PASS_CLIENT_ID")
        refused(nil, "onecard", variable: "ONECARD_TAIPEI_PASS_ISSUER")
        refused(nil, nil, "s3cret", variable: "ONECARD_TAIPEI_PASS_ISSUER")
        refused("http://id.taipei.example", "onecard", variable: "ONECARD_TAIPEI_PASS_ISSUER")
        refused("http://127.0.0.1:9400", "onecard", production: true, variable: "ONECARD_TAIPEI_PASS_ISSUER")
        refused("https://id.taipei.example?tenant=1", "onecard", variable: "ONECARD_TAIPEI_PASS_ISSUER")
        refused("id.taipei.example", "onecard", variable: "ONECARD_TAIPEI_PASS_ISSUER")
    }

    // MARK: Discovery and keys over HTTP, through Vapor's client

    func testDiscoveryIsCachedAndMustNameTheConfiguredIssuer() async throws {
        let served = try await HandMadeProvider.start()
        do {
            try await withTestApp { app in
                let provider = OpenIDProvider(settings: TaipeiPassSettings(issuer: served.issuer, clientID: Self.clientID))
                let first = try await provider.metadata(client: app.client, now: now)
                XCTAssertEqual(first.tokenEndpoint, served.issuer + "/token")
                _ = try await provider.metadata(client: app.client, now: now.addingTimeInterval(3599))
                XCTAssertEqual(served.metadataFetches, 1, "cached for an hour")
                _ = try await provider.metadata(client: app.client, now: now.addingTimeInterval(3601))
                XCTAssertEqual(served.metadataFetches, 2)

                served.nameIssuer("https://impostor.example")
                let fresh = OpenIDProvider(settings: TaipeiPassSettings(issuer: served.issuer, clientID: Self.clientID))
                do {
                    _ = try await fresh.metadata(client: app.client, now: now)
                    XCTFail("a discovery document naming another issuer is refused")
                } catch let error as OpenIDProviderError {
                    XCTAssertTrue(error.description.contains("impostor"), error.description)
                }
                // The provider that had a good document keeps using it when a later fetch is refused.
                let stale = try await provider.metadata(client: app.client, now: now.addingTimeInterval(7300))
                XCTAssertEqual(stale.issuer, served.issuer)
            }
        } catch {
            try await served.stop()
            throw error
        }
        try await served.stop()
    }

    func testKeysAreCachedAndARotatedKeyIsFetchedAtMostEveryThirtySeconds() async throws {
        let served = try await HandMadeProvider.start()
        do {
            let old = try await TestKey.rs256(kid: "2026-01")
            let new = await TestKey.es256(kid: "2026-07")
            func publish(_ keys: [TestKey]) throws {
                served.serveKeys(String(decoding: try JSONSerialization.data(withJSONObject: ["keys": keys.map(\.jwk)]), as: UTF8.self))
            }
            try publish([old])
            try await withTestApp { app in
                let provider = OpenIDProvider(settings: TaipeiPassSettings(issuer: served.issuer, clientID: Self.clientID))
                let verifier = IDTokenVerifier(issuer: served.issuer, clientID: Self.clientID)
                func verify(_ key: TestKey, at time: Date) async throws -> IDTokenClaims {
                    var claims = Claims(now: time)
                    claims.iss = served.issuer
                    let token = try await key.sign(claims)
                    return try await verifier.verify(token, nonce: "nonce-1", now: time) { keyID, algorithm in
                        try await provider.signingKey(keyID: keyID, algorithm: algorithm, client: app.client, now: time)
                    }
                }
                _ = try await verify(old, at: now)
                _ = try await verify(old, at: now.addingTimeInterval(10))
                XCTAssertEqual(served.jwksFetches, 1, "the key set is cached")

                // The provider rotates: a token under the new key id makes one refetch, and is accepted.
                try publish([new, old])
                _ = try await verify(new, at: now.addingTimeInterval(40))
                XCTAssertEqual(served.jwksFetches, 2)
                _ = try await verify(new, at: now.addingTimeInterval(41))
                _ = try await verify(old, at: now.addingTimeInterval(42))
                XCTAssertEqual(served.jwksFetches, 2)

                // Made-up key ids do not make OneCard ask the provider again and again.
                let stranger = await TestKey.es256(kid: "made-up")
                for offset in [43.0, 44, 45] {
                    do {
                        _ = try await verify(stranger, at: now.addingTimeInterval(offset))
                        XCTFail("an unknown key is refused")
                    } catch let rejection as IDTokenRejection {
                        XCTAssertEqual(rejection, .unknownKey)
                    }
                }
                XCTAssertEqual(served.jwksFetches, 2, "no refetch within 30 seconds of the last")
                _ = try? await verify(stranger, at: now.addingTimeInterval(71))
                XCTAssertEqual(served.jwksFetches, 3, "one refetch after 30 seconds")

                // An hour on the set is fetched again; when the provider answers nonsense, the keys it had still verify.
                served.serveKeys("not a key set")
                _ = try await verify(new, at: now.addingTimeInterval(71 + 3601))
                XCTAssertEqual(served.jwksFetches, 4)
            }
        } catch {
            try await served.stop()
            throw error
        }
        try await served.stop()
    }
}
