import Foundation
import NIOConcurrencyHelpers
import XCTVapor
@testable import App
import TestSubprocess

/// A real OpenID Connect provider for the tests: PyPI's oidc-provider-mock run by `tests/oidc/provider.py`
/// (which adds PKCE enforcement) on a free loopback port. Installed by `scripts/install-test-tools`.
final class OIDCProviderProcess: Sendable {
    let child: RunningProcess
    /// `http://127.0.0.1:PORT`: the provider's issuer and base URL.
    let issuer: String

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("tests/oidc/provider.py").path

    private init(child: RunningProcess, issuer: String) {
        self.child = child
        self.issuer = issuer
    }

    /// Starts the provider and waits, without holding a thread, for its first line, which says where it
    /// listens; the imports take a few seconds on a busy machine.
    static func start(_ arguments: [String] = []) async throws -> OIDCProviderProcess {
        let child = try RunningProcess(["python3", script] + arguments)
        guard let first = await child.firstLine(within: 60), first.hasPrefix("listening ") else {
            await child.stop()
            throw ProviderStartError(message: "tests/oidc/provider.py did not start (pip install oidc-provider-mock, as scripts/install-test-tools does): \(child.stderrText.suffix(2000))")
        }
        return OIDCProviderProcess(child: child, issuer: String(first.dropFirst("listening ".count)))
    }

    /// SIGTERM, then SIGKILL if it is still there after five seconds; never waits forever.
    func stop() async {
        await child.stop()
    }

    /// SIGTERM without waiting, for a synchronous class tear-down (on the main thread); the child's own
    /// `deinit` sends SIGKILL to whatever is left.
    func terminate() {
        child.send(SIGTERM)
    }

    struct ProviderStartError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// Registers a confidential client (RFC 7591, as the mock offers it) and returns its credentials.
    func registerClient(redirectURI: String, authMethod: String = "client_secret_basic", using client: any Client) async throws -> (id: String, secret: String) {
        struct Registration: Content {
            let redirect_uris: [String]
            let token_endpoint_auth_method: String
        }
        struct Registered: Content {
            let client_id: String
            let client_secret: String
        }
        let response = try await client.post(URI(string: issuer + "/oauth2/clients")) { request in
            try request.content.encode(Registration(redirect_uris: [redirectURI], token_endpoint_auth_method: authMethod), as: .json)
        }
        XCTAssertEqual(response.status, .created)
        let registered = try response.content.decode(Registered.self)
        return (registered.client_id, registered.client_secret)
    }
}

/// The person at the provider: opens the authorization URL OneCard redirected to, sees the provider's
/// own page, types a `sub` and presses Authorize (or Deny), and is sent back towards OneCard.
struct ProviderUser {
    /// The person's browser, not OneCard: its requests stay out of OneCard's log.
    let client: any Client

    init(client: any Client) {
        self.client = client.logging(to: Logger(label: "provider-user") { _ in SwiftLogNoOpLogHandler() })
    }

    /// Returns the path and query of the redirect back to OneCard (the callback), as the browser would follow it.
    func authorize(_ authorizationURL: String, as subject: String, deny: Bool = false, expectedBase: String = TaipeiPassTestSettings.baseURL,
                   file: StaticString = #filePath, line: UInt = #line) async throws -> String {
        let page = try await client.get(URI(string: authorizationURL))
        XCTAssertEqual(page.status, .ok, "the provider shows its authorization page", file: file, line: line)
        let html = page.body.map { String(buffer: $0) } ?? ""
        XCTAssertTrue(html.contains(#"name="sub""#), "with a field for the subject", file: file, line: line)
        let answer = try await client.post(URI(string: authorizationURL)) { request in
            try request.content.encode(deny ? ["action": "deny"] : ["sub": subject], as: .urlEncodedForm)
        }
        XCTAssertEqual(answer.status, .found, file: file, line: line)
        let location = try XCTUnwrap(answer.headers.first(name: .location), file: file, line: line)
        let callback = expectedBase + SiteURL.taipeiPassCallback.path + "?"
        XCTAssertTrue(location.hasPrefix(callback), "back to OneCard's redirect URI: \(location)", file: file, line: line)
        return String(location.dropFirst(expectedBase.count))
    }
}

/// Real time plus an offset the test can move: the provider stamps tokens with real time, and tests that
/// are about time move OneCard's clock away from it.
final class WallClock: Sendable {
    private let offset: NIOLockedValueBox<TimeInterval>

    init(offset: TimeInterval = 0) {
        self.offset = NIOLockedValueBox(offset)
    }

    var now: Date { Date().addingTimeInterval(offset.withLockedValue { $0 }) }
    func advance(by seconds: TimeInterval) { offset.withLockedValue { $0 += seconds } }
    var oneCardClock: OneCardClock { OneCardClock { [self] in now } }
}

enum TaipeiPassTestSettings {
    static let baseURL = "http://127.0.0.1:8080"

    static func configure(_ settings: inout OneCardSettings, issuer: String, clientID: String = "onecard-test", secret: String? = nil) {
        settings.baseURL = URL(string: baseURL)!
        settings.taipeiPass = TaipeiPassSettings(issuer: issuer, clientID: clientID, clientSecret: secret)
    }
}

/// A provider the tests write themselves, served by Vapor on a loopback port: for what a real provider
/// will not do on request (rotate its keys, name the wrong issuer, sign with ES256).
final class HandMadeProvider: @unchecked Sendable {
    let app: Application
    private let state = NIOLockedValueBox<(issuer: String, jwks: String, discoveryIssuer: String?, metadataFetches: Int, jwksFetches: Int)>(
        ("", "{\"keys\":[]}", nil, 0, 0))

    /// `http://127.0.0.1:PORT`, once started.
    var issuer: String { state.withLockedValue { $0.issuer } }
    var metadataFetches: Int { state.withLockedValue { $0.metadataFetches } }
    var jwksFetches: Int { state.withLockedValue { $0.jwksFetches } }

    func serveKeys(_ jwks: String) { state.withLockedValue { $0.jwks = jwks } }
    /// Makes the discovery document name another issuer than the one it is fetched from.
    func nameIssuer(_ issuer: String?) { state.withLockedValue { $0.discoveryIssuer = issuer } }

    private init(app: Application) {
        self.app = app
    }

    static func start() async throws -> HandMadeProvider {
        let app = try await Application.make(.testing)
        let provider = HandMadeProvider(app: app)
        app.get(".well-known", "openid-configuration") { [provider] _ -> Response in
            let (issuer, named) = provider.state.withLockedValue { state -> (String, String?) in
                state.metadataFetches += 1
                return (state.issuer, state.discoveryIssuer)
            }
            let document: [String: Any] = [
                "issuer": named ?? issuer,
                "authorization_endpoint": issuer + "/authorize",
                "token_endpoint": issuer + "/token",
                "jwks_uri": issuer + "/jwks",
                "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"],
                "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            ]
            return Response(status: .ok, headers: ["Content-Type": "application/json"],
                            body: .init(data: try JSONSerialization.data(withJSONObject: document)))
        }
        app.get("jwks") { [provider] _ -> Response in
            let jwks = provider.state.withLockedValue { state -> String in
                state.jwksFetches += 1
                return state.jwks
            }
            return Response(status: .ok, headers: ["Content-Type": "application/json"], body: .init(string: jwks))
        }
        try await app.asyncBoot()
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = try XCTUnwrap(app.http.server.shared.localAddress?.port)
        provider.state.withLockedValue { $0.issuer = "http://127.0.0.1:\(port)" }
        return provider
    }

    func stop() async throws {
        await app.server.shutdown()
        try await app.asyncShutdown()
    }
}
