import Vapor

/// 我的帳戶 → 個人資料查閱紀錄 (issue #14 item 7): the signed-in reader sees which library looked at their
/// personal data, when and why.
struct AccessLogController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.accountAccessLog, use: log)
    }

    @Sendable
    func log(req: Request) async throws -> Response {
        guard let patron = try await req.signedInPatron() else { return req.redirect(to: SiteURL.service(.signIn).path) }
        let page = try await AccessLogPage.Query(database: req.db, locale: req.locale)
            .model(for: patron, requestedPage: req.query[Int.self, at: "page"])
        return try await req.view.render("reader/access-log", page).encodeResponse(for: req)
    }
}
