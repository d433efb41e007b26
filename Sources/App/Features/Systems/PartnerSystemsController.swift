import Vapor

/// Partner systems from the back office (issue #14 item 6): a library's webhook URL, its signing secret
/// (shown once), a test delivery through the outbox, and the way to the delivery log. The same
/// `PartnerEndpoints` service as `onecard partner endpoint`.
struct PartnerSystemsController: RouteCollection {
    static let roles = SystemsScope.roles

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staffPartnerSystems, use: list)
        routes.get(.staffPartnerSystem(code: .key), use: show)
        routes.post(.staffPartnerSystem(code: .key), maximumBytes: .form, use: setURL)
        routes.post(.staffPartnerSystemSecret(code: .key), maximumBytes: .form, use: rotateSecret)
        routes.post(.staffPartnerSystemTest(code: .key), maximumBytes: .form, use: sendTest)
    }

    struct URLForm: Content {
        var url: String?
    }

    @Sendable
    func list(req: Request) async throws -> View {
        let staff = try await req.requireStaff(Self.roles)
        return try await req.view.render("staff/partner-systems",
                                         try await PartnerSystemsPage.query(scope: SystemsScope(staff: staff), locale: req.locale, database: req.db))
    }

    @Sendable
    func show(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let (_, page) = try await page(req, staff)
        return try await render(req, page)
    }

    @Sendable
    func setURL(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        var (library, page) = try await page(req, staff)
        let url = try req.content.decode(URLForm.self).url ?? ""
        do {
            page.newSecret = try await PartnerEndpoints.setURL(
                libraryID: try library.requireID(), url: url, allowsPlainHTTP: req.application.environment != .production,
                by: .staff(try staff.requireID(), ipAddress: req.clientAddress), database: req.db, vault: req.application.vault, now: req.now)
            (_, page) = try await self.page(req, staff, newSecret: page.newSecret)
            page.saved = true
            return try await render(req, page)
        } catch let error as SystemsError where error != .notFound {
            page.form = FormState(values: ["url": url], errors: ["url": req.t(error.messageKey, error.messageValues)])
            return try await render(req, page, status: HTTPErrorMapping.status(for: error))
        }
    }

    @Sendable
    func rotateSecret(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let (library, _) = try await page(req, staff)
        let secret = try await PartnerEndpoints.rotateSecret(
            libraryID: try library.requireID(), by: .staff(try staff.requireID(), ipAddress: req.clientAddress), database: req.db,
            vault: req.application.vault, now: req.now)
        return try await render(req, try await page(req, staff, newSecret: secret).1)
    }

    @Sendable
    func sendTest(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        var (library, page) = try await page(req, staff)
        let message = try await PartnerEndpoints.sendTest(
            libraryID: try library.requireID(), by: .staff(try staff.requireID(), ipAddress: req.clientAddress), database: req.db,
            worker: req.application.outboxWorker, now: req.now)
        page.testResult = .init(delivered: message.status == .delivered, detail: message.lastError ?? "")
        return try await render(req, page)
    }

    private func page(_ req: Request, _ staff: StaffMember, newSecret: String? = nil) async throws -> (Library, PartnerSystemPage) {
        var (library, page) = try await PartnerSystemPage.query(code: try req.parameters.require("code"), scope: SystemsScope(staff: staff),
                                                                locale: req.locale, database: req.db)
        page.newSecret = newSecret
        return (library, page)
    }

    private func render(_ req: Request, _ page: PartnerSystemPage, status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.renderSecretPage("staff/partner-system", page, status: status)
    }
}
