import Fluent
import Vapor

/// Readers' requests to their library (name changes, erasure), for staff of that library to decide.
/// A desk can decide a name change after seeing the person's ID; erasure is an administrator's decision.
struct PatronRequestsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staffRequests, use: list)
        routes.post(.staffRequestDecision(id: .key), use: decide)
    }

    struct Page: Encodable {
        struct Row: Encodable {
            let id: String
            let kind: String
            var kindKey: String { "staff.requests.kind.\(kind)" }
            let cardNumber: String
            let name: String
            let requestedName: String?
            let note: String?
            let requestedAt: String
            let canDecide: Bool

            enum CodingKeys: String, CodingKey { case id, kind, kindKey, cardNumber, name, requestedName, note, requestedAt, canDecide }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(id, forKey: .id)
                try container.encode(kind, forKey: .kind)
                try container.encode(kindKey, forKey: .kindKey)
                try container.encode(cardNumber, forKey: .cardNumber)
                try container.encode(name, forKey: .name)
                try container.encodeIfPresent(requestedName, forKey: .requestedName)
                try container.encodeIfPresent(note, forKey: .note)
                try container.encode(requestedAt, forKey: .requestedAt)
                try container.encode(canDecide, forKey: .canDecide)
            }
        }

        let rows: [Row]
        let notice: String?
    }

    @Sendable
    func list(req: Request) async throws -> View {
        let staff = try await req.requireStaff([.desk, .admin])
        let requests = try await PatronRequest.query(on: req.db).filter(\.$status == .pending)
            .join(Patron.self, on: \PatronRequest.$patron.$id == \Patron.$id)
            .filter(Patron.self, \.$library.$id == staff.$library.id)
            .with(\.$patron).sort(\.$requestedAt).all()
        // Listing shows names and card numbers of readers: a read of personal data.
        try await AuditTrail.record("patron_requests.viewed", by: .staff(staff.id!, ipAddress: req.clientAddress),
                                    libraryID: staff.$library.id, details: ["count": String(requests.count)], at: req.now, on: req.db)
        let rows = requests.map {
            Page.Row(id: $0.id!.uuidString, kind: $0.kind.rawValue, cardNumber: $0.patron.cardNumber ?? "—", name: $0.patron.name,
                     requestedName: $0.requestedName, note: $0.note, requestedAt: DeskController.dateTime($0.requestedAt),
                     canDecide: Self.mayDecide($0.kind, staff))
        }
        let notice = req.query[String.self, at: "decided"].map { _ in req.t("staff.requests.decided") }
        return try await req.view.render("staff/requests", Page(rows: rows, notice: notice))
    }

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
        try await PatronAccountService(app: req.application, database: req.db, now: req.now)
            .decide(request, approve: decision == "approve", reason: (form.reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines),
                    by: staff, ipAddress: req.clientAddress)
        return req.redirect(to: SiteURL.staffRequests.path + "?decided=1", redirectType: .normal)
    }
}
