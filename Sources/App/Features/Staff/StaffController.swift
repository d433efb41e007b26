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

    struct AuditPage: Encodable {
        struct Row: Encodable {
            let time: String
            let actor: String
            let action: String
            let subject: String
            let ipAddress: String
        }

        let library: String
        let rows: [Row]
    }

    /// The latest audit entries of the administrator's own library; looking is itself audited.
    @Sendable
    func audit(req: Request) async throws -> View {
        let staff = try await req.requireStaff([.admin])
        let events = try await AuditEvent.query(on: req.db)
            .filter(\.$libraryID == staff.$library.id)
            .sort(\.$occurredAt, .descending)
            .limit(200)
            .all()
        try await AuditTrail.record("audit.viewed", by: .staff(staff.id!, ipAddress: req.clientAddress),
                                    libraryID: staff.$library.id, at: req.now, on: req.db)
        let formatter = DateFormatter()
        formatter.timeZone = .taipei
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        // Staff are shown by their account name; other actors by kind and id.
        let staffIDs = Set(events.filter { $0.actorType == "staff" }.compactMap { $0.actorID.flatMap(UUID.init(uuidString:)) })
        let emails = try await StaffMember.query(on: req.db).filter(\.$id ~~ staffIDs).all()
            .reduce(into: [String: String]()) { $0[$1.id!.uuidString] = $1.email }
        let rows = events.map {
            AuditPage.Row(
                time: formatter.string(from: $0.occurredAt),
                actor: $0.actorID.flatMap { emails[$0] } ?? [$0.actorType, $0.actorID].compactMap { $0 }.joined(separator: " "),
                action: $0.action,
                subject: [$0.subjectType, $0.subjectID].compactMap { $0 }.joined(separator: " "),
                ipAddress: $0.ipAddress ?? ""
            )
        }
        let library = staff.library.name(in: req.locale)
        return try await req.view.render("staff/audit", AuditPage(library: library, rows: rows))
    }
}
