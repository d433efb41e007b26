import Fluent
import OneCardDomain
import Vapor

/// The back office home and the audit trail.
struct StaffController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staffHome, use: home)
        routes.get(.staffAudit, use: audit)
    }

    struct HomePage: Encodable {
        let email: String
        let roleKey: String
        let library: String
        let isAdmin: Bool
        let canDecideRequests: Bool
        let reviewsDigitalCards: Bool
        let canReviewGroups: Bool
    }

    @Sendable
    func home(req: Request) async throws -> Response {
        guard let staff = try await req.staffMember() else {
            return req.redirect(to: SiteURL.staffSignIn.path)
        }
        let library = staff.library.name(in: req.locale)
        return try await req.view.render("staff/home", HomePage(
            email: staff.email, roleKey: "staff.role.\(staff.role.rawValue)", library: library, isAdmin: staff.role == .admin,
            canDecideRequests: staff.role != .reviewer,
            reviewsDigitalCards: staff.role != .desk && staff.library.code == DigitalCardService.libraryCode,
            canReviewGroups: GroupReviewController.roles.contains(staff.role)
        )).encodeResponse(for: req)
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
