import Vapor

/// Partner notifications that keep failing, for administrators: which partner, what event, how many
/// attempts, the last error and the next attempt; and a button to try again now.
struct PartnerDeliveriesController: RouteCollection {
    /// The consortium administrator sees every library's, as they configure every partner system (issue #14 item 6).
    static let roles: Set<StaffMember.Role> = [.admin, .consortiumAdmin]

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staffDeliveries, use: list)
        routes.post(.staffDeliveryRetry(id: .key), maximumBytes: .form, use: retry)
    }

    @Sendable
    func list(req: Request) async throws -> View {
        let staff = try await req.requireStaff(Self.roles)
        var page = try await PartnerDeliveriesPage.query(for: staff, locale: req.locale, database: req.db, now: req.now)
        page.retried = req.query[String.self, at: "retried"] != nil
        return try await req.view.render("staff/deliveries", page)
    }

    @Sendable
    func retry(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        try await PartnerDeliveries(database: req.db, now: req.now)
            .retry(req.parameters.get("id", as: Int.self), by: staff, ipAddress: req.clientAddress)
        return req.redirect(to: SiteURL.staffDeliveries.path + "?retried=1", redirectType: .normal)
    }
}
