import Vapor

extension RoutesBuilder {
    @discardableResult
    func get<Response: AsyncResponseEncodable>(
        _ url: SiteURL, use closure: @Sendable @escaping (Request) async throws -> Response
    ) -> Route {
        get(url.pathComponents, use: closure)
    }

    @discardableResult
    func post<Response: AsyncResponseEncodable>(
        _ url: SiteURL, use closure: @Sendable @escaping (Request) async throws -> Response
    ) -> Route {
        post(url.pathComponents, use: closure)
    }

    /// A form with files: the body is collected up to `maximumBytes` (also before the CSRF check, which
    /// must read the token from it; a large upload arrives in pieces).
    @discardableResult
    func postUpload<Response: AsyncResponseEncodable>(
        _ url: SiteURL, maximumBytes: Int, use closure: @Sendable @escaping (Request) async throws -> Response
    ) -> Route {
        let route = on(.POST, url.pathComponents, body: .collect(maxSize: ByteCount(value: maximumBytes)), use: closure)
        route.userInfo[CSRFMiddleware.collectBodyUpTo] = maximumBytes
        return route
    }
}
