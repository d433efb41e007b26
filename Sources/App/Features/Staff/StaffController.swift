import Fluent
import OneCardDomain
import Vapor

/// The back office home (the work dashboard); the audit trail is `AuditTrailController`'s.
struct StaffController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staffHome, use: home)
    }

    @Sendable
    func home(req: Request) async throws -> Response {
        guard let staff = try await req.staffMember() else {
            return req.redirect(to: (try await req.staffSecondFactorStep() ?? SiteURL.staffSignIn).path)
        }
        let page = try await StaffHomePage.Query(
            database: req.db, pendingApplicationLifetimeDays: req.application.settings.pendingApplicationLifetimeDays, now: req.now
        ).model(for: staff, locale: req.locale)
        return try await req.view.render("staff/home", page).encodeResponse(for: req)
    }
}
