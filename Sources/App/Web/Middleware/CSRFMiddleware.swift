import Crypto
import Vapor

/// CSRF protection for every state-changing browser request: the form carries the session's token in `_csrf`
/// (or the `X-CSRF-Token` header), or, for a visitor with no session, its CSRF cookie's signed token
/// (`AnonymousCSRFCookie`). The JSON API uses bearer tokens instead.
struct CSRFMiddleware: AsyncMiddleware {
    static let sessionKey = "csrf"
    static let formField = "_csrf"
    /// Set on a route that a server, not a browser, calls with its own credentials (the OpenID Connect token,
    /// revocation and introspection endpoints): like `/api`, it has no session to carry a token.
    static let exemptionKey: AnySendableHashable = "onecard.csrfExempt"
    /// Whether the CSRF cookie is sent only over HTTPS (as the session cookie: `usesSecureCookies`).
    let secureCookies: Bool

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let safeMethods: [HTTPMethod] = [.GET, .HEAD, .OPTIONS]
        guard !safeMethods.contains(request.method), !request.url.path.hasPrefix("/api/"),
              request.route?.userInfo[Self.exemptionKey] as? Bool != true else {
            return withCookie(try await next.respond(to: request), for: request)
        }
        // Nothing to compare against (no session token and no CSRF cookie): refused from the head alone,
        // before a byte of the body is read, so a visitor who never opened a form cannot make us receive one.
        guard let expected = request.expectedCSRFToken else {
            request.logger.notice("CSRF check failed", metadata: ["path": .string(request.url.path), "reason": "no session token"])
            throw OneCardError.csrfTokenInvalid
        }
        // Behind a real socket a form's body still streams when middleware runs: collect it, within the
        // route's own limit (`BodyLimit`, refused with 413 as soon as it crosses), so `_csrf` can be read.
        if request.headers.first(name: "X-CSRF-Token") == nil, request.body.data == nil {
            let limit = request.route?.bodyLimit ?? .form
            _ = try await request.body.collect(max: limit.bytes + 1).get()
        }
        let offered = request.headers.first(name: "X-CSRF-Token")
            ?? (try? request.content.get(String.self, at: Self.formField))
        guard let offered, Self.constantTimeEqual(expected, offered) else {
            request.logger.notice("CSRF check failed", metadata: ["path": .string(request.url.path)])
            throw OneCardError.csrfTokenInvalid
        }
        return withCookie(try await next.respond(to: request), for: request)
    }

    /// Sets the CSRF cookie a page's form was given, and keeps a page that shows a visitor's own token out
    /// of every cache (as a page with a session is, in `SecurityHeadersMiddleware`).
    private func withCookie(_ response: Response, for request: Request) -> Response {
        guard let use = request.storage[StorageKeys.CSRFCookieKey.self] else { return response }
        if use.isNew {
            response.cookies[AnonymousCSRFCookie.name] = AnonymousCSRFCookie.cookie(use.value, secure: secureCookies)
        }
        if use.wasShown {
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        return response
    }

    /// A signed-in session's token: random, and made afresh at every sign-in (`rotateSession`).
    static func newSessionToken() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64URLEncodedString() }
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8), right = Array(b.utf8)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
