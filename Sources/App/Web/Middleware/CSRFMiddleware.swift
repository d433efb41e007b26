import Crypto
import Vapor

/// Synchronizer-token CSRF protection for every state-changing browser request: the form carries the
/// session's token in `_csrf` (or the `X-CSRF-Token` header). The JSON API uses bearer tokens instead.
struct CSRFMiddleware: AsyncMiddleware {
    static let sessionKey = "csrf"
    static let formField = "_csrf"
    /// The largest form the site accepts (a digital card application with five documents), unless the
    /// route says otherwise.
    static let maximumFormBody = 60 * 1024 * 1024
    /// Routes that take larger files (`postUpload`, e.g. a 64 MiB reader data file) set their own limit here.
    static let collectBodyUpTo: AnySendableHashable = "csrf.collectBodyUpTo"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let safeMethods: [HTTPMethod] = [.GET, .HEAD, .OPTIONS]
        guard !safeMethods.contains(request.method), !request.url.path.hasPrefix("/api/") else {
            return try await next.respond(to: request)
        }
        let expected = request.hasSession ? request.session.data[Self.sessionKey] : nil
        // Behind a real socket a large body (a form with file uploads) still streams when middleware
        // runs: collect it, within the largest body any form route accepts, so `_csrf` can be read.
        if request.headers.first(name: "X-CSRF-Token") == nil, request.body.data == nil {
            let limit = request.route?.userInfo[Self.collectBodyUpTo] as? Int
                ?? (request.headers.contentType?.type == "multipart" ? Self.maximumFormBody : 1 << 20)
            _ = try await request.body.collect(max: limit).get()
        }
        let offered = request.headers.first(name: "X-CSRF-Token")
            ?? (try? request.content.get(String.self, at: Self.formField))
        guard let expected, let offered, Self.constantTimeEqual(expected, offered) else {
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
