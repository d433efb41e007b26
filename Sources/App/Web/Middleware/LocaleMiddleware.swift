import Vapor

/// Picks the page language: `?lang=`, then the session's choice, then the language cookie, then
/// Accept-Language, then zh-TW.
///
/// A choice made with `?lang=` is remembered in a cookie of its own (`onecard_lang`), not in a session, so a
/// visitor who only reads pages in English costs no database write (#13 item 1); a session that already
/// exists records it too.
struct LocaleMiddleware: AsyncMiddleware {
    static let sessionKey = "lang"
    static let cookieName = "onecard_lang"
    /// A year: the choice of a language outlives any session.
    static let cookieLifetime = 365 * 24 * 3600
    /// Whether the cookie is sent only over HTTPS (as the session cookie: `usesSecureCookies`).
    let secureCookies: Bool

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        var chosenNow: SiteLocale?
        // The query is decoded only when it may hold `lang`: most requests have none.
        if request.url.query?.contains("lang=") == true,
           let chosen = request.query[String.self, at: "lang"].flatMap(SiteLocale.init(tag:)) {
            request.locale = chosen
            if !request.url.path.hasPrefix("/api/") {
                chosenNow = chosen
                if request.hasSession { request.session.data[Self.sessionKey] = chosen.rawValue }
            }
        } else if request.hasSession, let saved = request.session.data[Self.sessionKey].flatMap(SiteLocale.init(rawValue:)) {
            request.locale = saved
        } else if let saved = request.cookies[Self.cookieName].flatMap({ SiteLocale(rawValue: $0.string) }) {
            request.locale = saved
        } else if let header = request.headers.first(name: .acceptLanguage),
                  let negotiated = SiteLocale.negotiate(acceptLanguage: header) {
            request.locale = negotiated
        }
        let response = try await next.respond(to: request)
        if let chosenNow, request.cookies[Self.cookieName]?.string != chosenNow.rawValue {
            response.cookies[Self.cookieName] = HTTPCookies.Value(string: chosenNow.rawValue, maxAge: Self.cookieLifetime, path: "/",
                                                                  isSecure: secureCookies, isHTTPOnly: true, sameSite: .lax)
        }
        response.headers.replaceOrAdd(name: .contentLanguage, value: request.locale.rawValue)
        // Pages also follow the language cookie; the API reads no cookie.
        response.headers.add(name: .vary, value: request.url.path.hasPrefix("/api/") ? "Accept-Language" : "Accept-Language, Cookie")
        return response
    }
}
