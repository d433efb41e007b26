import Vapor

/// Picks the page language: `?lang=` (remembered in the session), then the session, then
/// Accept-Language, then zh-TW.
struct LocaleMiddleware: AsyncMiddleware {
    static let sessionKey = "lang"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // The query is decoded only when it may hold `lang`: most requests have none.
        if request.url.query?.contains("lang=") == true,
           let chosen = request.query[String.self, at: "lang"].flatMap(SiteLocale.init(tag:)) {
            request.locale = chosen
            if !request.url.path.hasPrefix("/api/") {
                request.session.data[Self.sessionKey] = chosen.rawValue
            }
        } else if request.hasSession, let saved = request.session.data[Self.sessionKey].flatMap(SiteLocale.init(rawValue:)) {
            request.locale = saved
        } else if let header = request.headers.first(name: .acceptLanguage),
                  let negotiated = SiteLocale.negotiate(acceptLanguage: header) {
            request.locale = negotiated
        }
        let response = try await next.respond(to: request)
        response.headers.replaceOrAdd(name: .contentLanguage, value: request.locale.rawValue)
        response.headers.add(name: .vary, value: "Accept-Language")
        return response
    }
}
