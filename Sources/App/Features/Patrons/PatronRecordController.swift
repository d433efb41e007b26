import Vapor

/// The back office's patron search and patron record (issue #14 item 3), for the desk and
/// administrators, within the opt-in boundary (`PatronVisibility`). Every search, every look at a record and
/// every reveal of a full ID number is audited.
struct PatronRecordController: RouteCollection {
    static let roles: Set<StaffMember.Role> = DeskController.roles

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staffPatrons, use: search)
        routes.get(.staffPatron(id: .key), use: record)
        routes.post(.staffPatronIDNumber(id: .key), maximumBytes: .form, use: revealIDNumber)
    }

    @Sendable
    func search(req: Request) async throws -> View {
        let staff = try await req.requireStaff(Self.roles)
        let text = (req.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespaces)
        let page = try await PatronSearchPage.Query(database: req.db, vault: req.application.vault, locale: req.locale, now: req.now)
            .page(String(text.prefix(100)), requestedPage: req.query[Int.self, at: "page"], staff: staff, ipAddress: req.clientAddress)
        return try await req.view.render("staff/patrons", page)
    }

    private func records(_ req: Request) -> PatronRecordPage.Query {
        PatronRecordPage.Query(database: req.db, vault: req.application.vault, localizer: req.application.localizer,
                               locale: req.locale, now: req.now)
    }

    @Sendable
    func record(req: Request) async throws -> View {
        let staff = try await req.requireStaff(Self.roles)
        let page = try await records(req).viewed(req.parameters.get("id"), by: staff, ipAddress: req.clientAddress, revealIDNumber: false)
        return try await req.view.render("staff/patron", page)
    }

    /// The record again with the whole ID number: a POST, so the number is asked for on purpose, never
    /// shown by following a link, and each showing is its own audit entry.
    @Sendable
    func revealIDNumber(req: Request) async throws -> View {
        let staff = try await req.requireStaff(Self.roles)
        let page = try await records(req).viewed(req.parameters.get("id"), by: staff, ipAddress: req.clientAddress, revealIDNumber: true)
        return try await req.view.render("staff/patron", page)
    }
}
