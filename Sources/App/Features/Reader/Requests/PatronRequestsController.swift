import Fluent
import Vapor

/// Readers' requests to their library (name changes, erasure), for staff of that library to decide.
/// Who may decide what is the service's rule (`PatronAccountService.mayDecide`).
struct PatronRequestsController: RouteCollection {
    static let roles: Set<StaffMember.Role> = [.desk, .admin]

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staffRequests, use: list)
        routes.post(.staffRequestDecision(id: .key), maximumBytes: .form, use: decide)
    }

    @Sendable
    func list(req: Request) async throws -> View {
        let staff = try await req.requireStaff(Self.roles)
        var page = try await StaffRequestsPage.Model.query(by: staff, ipAddress: req.clientAddress, at: req.now, on: req.db)
        page.notice = req.query[String.self, at: "decided"].map { _ in req.t("staff.requests.decided") }
        return try await req.view.render("staff/requests", page)
    }

    struct Decision: Content {
        var decision: String?
        var reason: String?

        /// True to approve, false to reject, nil when the form named neither.
        var approves: Bool? {
            switch decision {
            case "approve": true
            case "reject": false
            default: nil
            }
        }
    }

    @Sendable
    func decide(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        let form = try req.content.decode(Decision.self)
        try await req.patronAccountService
            .decide(requestID: id, approve: form.approves, reason: form.reason ?? "", by: staff, ipAddress: req.clientAddress)
        return req.redirect(to: SiteURL.staffRequests.path + "?decided=1", redirectType: .normal)
    }
}
