import Vapor

/// Headers every response carries: no inline script or style, no framing, no MIME sniffing.
///
/// A route may set a stricter header of its own, and keeps it: the site-wide value only fills in a header the
/// response has not set. Uploaded files are served with `uploadedFilePolicy` that way, so a document a person
/// sent us (a PDF, a picture) opens as a sandboxed page with no script, no form and no same-origin access.
/// Only `Strict-Transport-Security` and the `no-store` of personal pages are imposed, as no route needs less.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    /// The policy of a file someone uploaded, shown or downloaded: nothing of ours runs in it, and it is a
    /// unique origin (`sandbox`). Images and inline styles are allowed only because the browser's own picture
    /// viewer uses them.
    static let uploadedFilePolicy = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"

    let sendsHSTS: Bool
    /// Other origins a form may lead to. Browsers apply `form-action` to the redirects that follow a form
    /// too, so 同意 and 以台北通登入 (forms answered with a redirect to 台北通) need the provider's origin here.
    var formActionOrigins: @Sendable () -> [String] = { [] }

    /// - Parameter connectSources: origins beyond our own that this page's scripts may reach (`connect-src`);
    ///   a route names them through `Request.connectSources`, for its own responses only.
    func contentSecurityPolicy(connectSources: [String] = []) -> String {
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'self'",
            (["form-action 'self'"] + formActionOrigins()).joined(separator: " "),
            "frame-ancestors 'none'",
        ].joined(separator: "; ") + (connectSources.isEmpty ? "" : "; " + (["connect-src 'self'"] + connectSources).joined(separator: " "))
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        func fillIn(_ name: String, _ value: @autoclosure () -> String) {
            if !response.headers.contains(name: name) { response.headers.add(name: name, value: value()) }
        }
        fillIn("Content-Security-Policy", contentSecurityPolicy(connectSources: request.connectSources))
        fillIn("X-Content-Type-Options", "nosniff")
        fillIn("X-Frame-Options", "DENY")
        fillIn("Referrer-Policy", "same-origin")
        fillIn("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if sendsHSTS {
            response.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000")
        }
        if request.url.path.hasPrefix("/staff") || request.hasSession {
            // Pages with personal data must not linger in shared caches or the back-forward cache.
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        return response
    }
}

extension Request {
    /// Origins this request's page may connect to besides its own (see `SecurityHeadersMiddleware`); empty
    /// for every page but those that set it.
    var connectSources: [String] {
        get { storage[StorageKeys.ConnectSourcesKey.self] ?? [] }
        set { storage[StorageKeys.ConnectSourcesKey.self] = newValue }
    }
}
