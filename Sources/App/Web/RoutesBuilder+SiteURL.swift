import Vapor

extension RoutesBuilder {
    @discardableResult
    func get<Response: AsyncResponseEncodable>(
        _ url: SiteURL, use closure: @Sendable @escaping (Request) async throws -> Response
    ) -> Route {
        get(url.pathComponents, use: closure)
    }

    /// A route that takes a body, with the largest body it accepts (there is no default: a sign-in form
    /// must not accept 60 MB because nobody said otherwise). The body is collected up to the limit, also
    /// before the CSRF check, which reads the token from it.
    ///
    /// `beforeReading` decides, before a byte of the body is read, whether this session may send the form
    /// at all (an upload that needs a signed-in contact, say); see `BodyGate`.
    @discardableResult
    func post<Response: AsyncResponseEncodable>(
        _ url: SiteURL, maximumBytes limit: BodyLimit, beforeReading gate: BodyGate? = nil,
        use closure: @Sendable @escaping (Request) async throws -> Response
    ) -> Route {
        // Vapor refuses a collected body that reaches `maxSize`; one byte more makes `limit` itself allowed.
        let route = on(.POST, url.pathComponents, body: .collect(maxSize: ByteCount(value: limit.bytes + 1)), use: closure)
        route.userInfo[BodyLimit.userInfoKey] = limit
        if let gate { route.userInfo[BodyGate.userInfoKey] = gate }
        return route
    }
}
