import Crypto
import Vapor

/// Synchronizer-token CSRF protection for every state-changing browser request: the form carries the
/// session's token in `_csrf` (or the `X-CSRF-Token` header). The JSON API uses bearer tokens instead.
struct CSRFMiddleware: AsyncMiddleware {
    static let sessionKey = "csrf"
    static let formField = "_csrf"
    /// Set on a route that a server, not a browser, calls with its own credentials (the OpenID Connect token,
    /// revocation and introspection endpoints): like `/api`, it has no session to carry a token.
    static let exemptionKey: AnySendableHashable = "onecard.csrfExempt"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let safeMethods: [HTTPMethod] = [.GET, .HEAD, .OPTIONS]
        guard !safeMethods.contains(request.method), !request.url.path.hasPrefix("/api/"),
              request.route?.userInfo[Self.exemptionKey] as? Bool != true else {
            return try await next.respond(to: request)
        }
        // Nothing to compare against (no session, or one that never showed a form): refused from the head
        // alone, before a byte of the body is read, so a visitor with no session cannot make us receive one.
        guard let expected = request.hasSession ? request.session.data[Self.sessionKey] : nil else {
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
        return try await next.respond(to: request)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8), right = Array(b.utf8)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
