import Fluent
import Vapor

/// Partner notifications that keep failing, for administrators: which partner, what event, how many
/// attempts, the last error and the next attempt; and a button to try again now.
struct PartnerDeliveriesController: RouteCollection {
    /// From the third failed attempt on, a delivery is worth a look.
    static let attemptsWorthShowing = 3

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staffDeliveries, use: list)
        routes.post(.staffDeliveryRetry(id: .key), use: retry)
    }

    struct Page: Encodable {
        struct Row: Encodable {
            let id: Int
            let partner: String
            let event: String
            let cardNumber: String
            let attempts: Int
            let lastError: String
            let nextAttempt: String
            let gaveUp: Bool
        }

        let rows: [Row]
        let retried: Bool
    }

    @Sendable
    func list(req: Request) async throws -> View {
        let staff = try await req.requireStaff([.admin])
        let failing = try await Self.failing(for: staff, on: req.db)
        let libraries = try await Library.query(on: req.db).all().reduce(into: [UUID: Library]()) { $0[$1.id!] = $1 }
        let rows = failing.map { message, queued in
            Page.Row(id: message.id ?? 0,
                     partner: libraries[queued.partnerLibraryID].map { $0.name(in: req.locale) } ?? "—",
                     event: queued.type.rawValue, cardNumber: queued.cardNumber ?? "—", attempts: message.attempts,
                     lastError: message.lastError ?? "", nextAttempt: DeskController.dateTime(message.availableAt),
                     gaveUp: message.status == .failed)
        }
        return try await req.view.render("staff/deliveries", Page(rows: rows, retried: req.query[String.self, at: "retried"] != nil))
    }

    @Sendable
    func retry(req: Request) async throws -> Response {
        let staff = try await req.requireStaff([.admin])
        guard let id = req.parameters.get("id", as: Int.self),
              let (message, _) = try await Self.failing(for: staff, on: req.db).first(where: { $0.0.id == id })
        else { throw Abort(.notFound) }
        try await req.db.transaction { db in
            message.status = .pending
            message.attempts = 0
            message.availableAt = req.now
            message.claimedUntil = nil
            try await message.save(on: db)
            try await AuditTrail.record("partner_delivery.retried", by: .staff(staff.id!, ipAddress: req.clientAddress),
                                        subject: ("outbox_message", String(id)), libraryID: staff.$library.id, at: req.now, on: db)
        }
        return req.redirect(to: SiteURL.staffDeliveries.path + "?retried=1", redirectType: .normal)
    }

    /// Failing partner deliveries that concern the administrator's library: as the receiving partner,
    /// or as the readers' home library.
    static func failing(for staff: StaffMember, on database: any Database) async throws -> [(OutboxMessage, PartnerEvents.Queued)] {
        let messages = try await OutboxMessage.query(on: database).filter(\.$kind == .partnerEvent)
            .group(.or) { $0.filter(\.$status == .failed).group(.and) {
                $0.filter(\.$status == .pending).filter(\.$attempts >= attemptsWorthShowing)
            } }
            .sort(\.$id).limit(1000).all()
        let library = staff.$library.id
        return messages.compactMap { message in
            guard let queued = try? JSONDecoder.partnerEvents.decode(PartnerEvents.Queued.self, from: Data(message.payload.utf8)),
                  queued.partnerLibraryID == library || queued.homeLibraryID == library
            else { return nil }
            return (message, queued)
        }
    }
}
