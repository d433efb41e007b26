import Vapor

/// API clients from the back office (issue #14 item 6): list, create (the token shown once), change scopes,
/// identifiers and allowed addresses, a new token (shown once), disable. The same `APIClients` service as
/// `onecard api-client`.
struct APIClientsController: RouteCollection {
    static let roles = SystemsScope.roles

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staffAPIClients, use: list)
        routes.post(.staffAPIClients, maximumBytes: .form, use: create)
        routes.get(.staffAPIClient(id: .key), use: show)
        routes.post(.staffAPIClient(id: .key), maximumBytes: .form, use: update)
        routes.post(.staffAPIClientDisable(id: .key), maximumBytes: .form, use: disable)
        routes.post(.staffAPIClientToken(id: .key), maximumBytes: .form, use: rotateToken)
    }

    struct ClientForm: Content {
        var name: String?
        var library: String?
        var scopes: [String]?
        var alternateIdentifiers: String?
        var allow: String?

        /// The scopes ticked, or the first unknown word.
        func checkedScopes() throws -> Set<APIScope> {
            try Set((scopes ?? []).map { word in
                guard let scope = APIScope(rawValue: word) else { throw SystemsError.scopeUnknown(word) }
                return scope
            })
        }

        var values: [String: String] {
            ["name": name ?? "", "library": library ?? "", "allow": allow ?? "", "alternateIdentifiers": alternateIdentifiers ?? "",
             "scopes": (scopes ?? []).joined(separator: " ")]
        }
    }

    @Sendable
    func list(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        return try await render(req, try await listPage(req, staff, form: FormState(values: ["allow": ""]), checked: []))
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let scope = SystemsScope(staff: staff)
        let form = try req.content.decode(ClientForm.self)
        do {
            let token = try await APIClients.create(
                name: form.name ?? "", libraryCode: SystemsLibraries.code(for: staff, scope: scope, chosen: form.library),
                scopes: try form.checkedScopes(), alternateIdentifiers: form.alternateIdentifiers == "yes",
                allowedAddresses: try SystemsError.requireAddresses(form.allow), by: .staff(try staff.requireID(), ipAddress: req.clientAddress),
                database: req.db, now: req.now)
            var page = try await listPage(req, staff, form: FormState(values: ["allow": ""]), checked: [])
            page.newToken = .init(name: (form.name ?? "").trimmingCharacters(in: .whitespaces), token: token)
            return try await render(req, page, status: .created)
        } catch let error as SystemsError {
            let state = FormState(values: form.values, errors: [error.field: req.t(error.messageKey, error.messageValues)])
            return try await render(req, try await listPage(req, staff, form: state, checked: Set(form.scopes ?? [])),
                                    status: HTTPErrorMapping.status(for: error))
        } catch StaffAccountError.unknownLibrary(let code) {
            // Only a consortium administrator chooses a library.
            let state = FormState(values: form.values, errors: ["library": req.t("systems.error.library_unknown", ["library": code])])
            return try await render(req, try await listPage(req, staff, form: state, checked: Set(form.scopes ?? [])),
                                    status: .unprocessableEntity)
        }
    }

    @Sendable
    func show(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        return try await render(req, APIClientPage.query(try await client(req, staff), translate: { req.t($0) }))
    }

    @Sendable
    func update(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let client = try await client(req, staff)
        let form = try req.content.decode(ClientForm.self)
        do {
            try await APIClients.update(id: client.id!.uuidString, scopes: try form.checkedScopes(),
                                        alternateIdentifiers: form.alternateIdentifiers == "yes",
                                        allowedAddresses: try SystemsError.requireAddresses(form.allow),
                                        by: .staff(try staff.requireID(), ipAddress: req.clientAddress), database: req.db, now: req.now)
            var page = APIClientPage.query(try await self.client(req, staff), translate: { req.t($0) })
            page.saved = true
            return try await render(req, page)
        } catch let error as SystemsError where error != .notFound {
            let state = FormState(values: form.values, errors: [error.field: req.t(error.messageKey, error.messageValues)])
            return try await render(req, APIClientPage.query(client, form: state, translate: { req.t($0) }),
                                    status: HTTPErrorMapping.status(for: error))
        }
    }

    @Sendable
    func disable(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let client = try await client(req, staff)
        try await APIClients.disable(id: client.id!.uuidString, by: .staff(try staff.requireID(), ipAddress: req.clientAddress),
                                     database: req.db, now: req.now)
        return try await render(req, APIClientPage.query(try await self.client(req, staff), translate: { req.t($0) }))
    }

    @Sendable
    func rotateToken(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let client = try await client(req, staff)
        let token = try await APIClients.rotateToken(id: client.id!.uuidString, by: .staff(try staff.requireID(), ipAddress: req.clientAddress),
                                                     database: req.db, now: req.now)
        var page = APIClientPage.query(client, translate: { req.t($0) })
        page.newToken = token
        return try await render(req, page)
    }

    private func client(_ req: Request, _ staff: StaffMember) async throws -> APIClient {
        try await APIClientPage.client(req.parameters.get("id", as: UUID.self), scope: SystemsScope(staff: staff), database: req.db)
    }

    private func listPage(_ req: Request, _ staff: StaffMember, form: FormState, checked: Set<String>) async throws -> APIClientsPage {
        try await APIClientsPage.query(scope: SystemsScope(staff: staff), form: form, checkedScopes: checked, locale: req.locale,
                                       translate: { req.t($0) }, database: req.db)
    }

    private func render(_ req: Request, _ page: some Encodable, status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.renderSecretPage(page is APIClientsPage ? "staff/api-clients" : "staff/api-client", page, status: status)
    }
}
