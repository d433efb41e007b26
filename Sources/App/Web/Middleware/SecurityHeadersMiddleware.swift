import Vapor

/// Headers every response carries: no inline script or style, no framing, no MIME sniffing.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    let sendsHSTS: Bool
    /// Other origins a form may lead to. Browsers apply `form-action` to the redirects that follow a form
    /// too, so 同意 and 以台北通登入 (forms answered with a redirect to 台北通) need the provider's origin here.
    var formActionOrigins: @Sendable () -> [String] = { [] }

    func contentSecurityPolicy() -> String {
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'self'",
            (["form-action 'self'"] + formActionOrigins()).joined(separator: " "),
            "frame-ancestors 'none'",
        ].joined(separator: "; ")
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: contentSecurityPolicy())
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        response.headers.replaceOrAdd(name: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()")
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
