import Fluent
import OneCardDomain
import Vapor

/// The back office home and the audit trail.
struct StaffController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staffHome, use: home)
        routes.get(.staffAudit, use: audit)
    }

    @Sendable
    func home(req: Request) async throws -> Response {
        guard let staff = try await req.staffMember() else {
            return req.redirect(to: SiteURL.staffSignIn.path)
        }
        return try await req.view.render("staff/home", StaffHomePage.Model(staff, locale: req.locale)).encodeResponse(for: req)
    }

    /// The latest audit entries of the administrator's own library; looking is itself audited.
    @Sendable
    func audit(req: Request) async throws -> View {
        let staff = try await req.requireStaff([.admin])
        let page = try await StaffAuditPage.Model.query(
            by: staff, libraryName: staff.library.name(in: req.locale),
            ipAddress: req.clientAddress, at: req.now, on: req.db)
        return try await req.view.render("staff/audit", page)
    }
}
