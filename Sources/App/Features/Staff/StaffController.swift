import Fluent
import OneCardDomain
import Vapor

/// The back office home (the work dashboard) and the audit trail.
struct StaffController: RouteCollection {
    static let auditRoles: Set<StaffMember.Role> = [.admin]

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staffHome, use: home)
        routes.get(.staffAudit, use: audit)
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

    /// The latest audit entries of the administrator's own library; looking is itself audited.
    @Sendable
    func audit(req: Request) async throws -> View {
        let staff = try await req.requireStaff(Self.auditRoles)
        let page = try await StaffAuditPage.Model.query(
            by: staff, libraryName: staff.library.name(in: req.locale),
            ipAddress: req.clientAddress, at: req.now, on: req.db)
        return try await req.view.render("staff/audit", page)
    }
}
