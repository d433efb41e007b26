import Fluent
import Vapor

/// Readers' requests to their library (name changes, erasure), for staff of that library to decide.
/// A desk can decide a name change after seeing the person's ID; erasure is an administrator's decision.
struct PatronRequestsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staffRequests, use: list)
        routes.post(.staffRequestDecision(id: .key), use: decide)
    }

    @Sendable
    func list(req: Request) async throws -> View {
        let staff = try await req.requireStaff([.desk, .admin])
        var page = try await StaffRequestsPage.Model.query(by: staff, ipAddress: req.clientAddress, at: req.now, on: req.db)
        page.notice = req.query[String.self, at: "decided"].map { _ in req.t("staff.requests.decided") }
        return try await req.view.render("staff/requests", page)
    }

    /// A desk may decide a name change (after seeing the person's ID); erasure is an administrator's decision.
    static func mayDecide(_ kind: PatronRequest.Kind, _ staff: StaffMember) -> Bool {
        kind == .nameChange || staff.role == .admin
    }

    struct Decision: Content {
        var decision: String?
        var reason: String?
    }

    @Sendable
    func decide(req: Request) async throws -> Response {
        let staff = try await req.requireStaff([.desk, .admin])
        guard let id = req.parameters.get("id", as: UUID.self),
              let request = try await PatronRequest.query(on: req.db).filter(\.$id == id).filter(\.$status == .pending).with(\.$patron).first(),
              request.patron.$library.id == staff.$library.id
        else { throw Abort(.notFound) }
        guard Self.mayDecide(request.kind, staff) else { throw OneCardError.staffRoleRequired }
        let form = try req.content.decode(Decision.self)
        guard let decision = form.decision, ["approve", "reject"].contains(decision) else { throw Abort(.badRequest) }
        try await req.patronAccountService
            .decide(request, approve: decision == "approve", reason: (form.reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines),
                    by: staff, ipAddress: req.clientAddress)
        return req.redirect(to: SiteURL.staffRequests.path + "?decided=1", redirectType: .normal)
    }
}
