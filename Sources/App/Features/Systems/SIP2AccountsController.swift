import Vapor

/// SIP2 accounts from the back office (issue #14 item 6): list, create (the password shown once), change
/// addresses, encoding and options, a new password (shown once), disable and enable. The same `SIP2Accounts`
/// service as `onecard sip2 account`, so a disabled account's open connections are closed at their next
/// request, as after the command.
struct SIP2AccountsController: RouteCollection {
    static let roles = SystemsScope.roles

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staffSIP2Accounts, use: list)
        routes.post(.staffSIP2Accounts, maximumBytes: .form, use: create)
        routes.get(.staffSIP2Account(id: .key), use: show)
        routes.post(.staffSIP2Account(id: .key), maximumBytes: .form, use: update)
        routes.post(.staffSIP2AccountDisable(id: .key), maximumBytes: .form, use: disable)
        routes.post(.staffSIP2AccountEnable(id: .key), maximumBytes: .form, use: enable)
        routes.post(.staffSIP2AccountPassword(id: .key), maximumBytes: .form, use: rotatePassword)
    }

    struct AccountForm: Content {
        var user: String?
        var library: String?
        var institution: String?
        var allow: String?
        var encoding: String?
        var personalData: String?
        var alternateIDs: String?
        var errorDetection: String?

        var values: [String: String] {
            ["user": user ?? "", "library": library ?? "", "institution": institution ?? "", "allow": allow ?? "",
             "encoding": encoding ?? "utf8", "personalData": personalData ?? "", "alternateIDs": alternateIDs ?? "",
             "errorDetection": errorDetection ?? ""]
        }
    }

    private static let newForm = FormState(values: ["encoding": "utf8", "errorDetection": "yes"])

    @Sendable
    func list(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        return try await render(req, try await listPage(req, staff, form: Self.newForm))
    }

    @Sendable
    func create(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let scope = SystemsScope(staff: staff)
        let form = try req.content.decode(AccountForm.self)
        do {
            let created = try await req.application.sip2Accounts.create(
                user: form.user ?? "", libraryCode: SystemsLibraries.code(for: staff, scope: scope, chosen: form.library),
                institution: form.institution, allowedAddresses: try SystemsError.requireAddresses(form.allow),
                encoding: form.encoding ?? "utf8", personalData: form.personalData == "yes", alternateIDs: form.alternateIDs == "yes",
                errorDetection: form.errorDetection == "yes", by: .staff(try staff.requireID(), ipAddress: req.clientAddress))
            var page = try await listPage(req, staff, form: Self.newForm)
            page.newPassword = .init(user: created.user, password: created.password)
            return try await render(req, page, status: .created)
        } catch let error as SystemsError {
            let state = FormState(values: form.values, errors: [error.field: req.t(error.messageKey, error.messageValues)])
            return try await render(req, try await listPage(req, staff, form: state), status: HTTPErrorMapping.status(for: error))
        } catch StaffAccountError.unknownLibrary(let code) {
            let state = FormState(values: form.values, errors: ["library": req.t("systems.error.library_unknown", ["library": code])])
            return try await render(req, try await listPage(req, staff, form: state), status: .unprocessableEntity)
        }
    }

    @Sendable
    func show(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        return try await render(req, SIP2AccountPage.query(try await account(req, staff)))
    }

    @Sendable
    func update(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let record = try await account(req, staff)
        let form = try req.content.decode(AccountForm.self)
        do {
            let changes = SIP2Accounts.Changes(
                allowedAddresses: try SystemsError.requireAddresses(form.allow), encoding: form.encoding ?? record.encoding,
                personalData: form.personalData == "yes", alternateIDs: form.alternateIDs == "yes", errorDetection: form.errorDetection == "yes")
            try await req.application.sip2Accounts.update(user: record.loginUser, changes,
                                                          by: .staff(try staff.requireID(), ipAddress: req.clientAddress))
            var page = SIP2AccountPage.query(try await account(req, staff))
            page.saved = true
            return try await render(req, page)
        } catch let error as SystemsError where error != .notFound {
            let state = FormState(values: form.values, errors: [error.field: req.t(error.messageKey, error.messageValues)])
            return try await render(req, SIP2AccountPage.query(record, form: state), status: HTTPErrorMapping.status(for: error))
        }
    }

    @Sendable
    func disable(req: Request) async throws -> Response {
        try await setDisabled(true, req: req)
    }

    @Sendable
    func enable(req: Request) async throws -> Response {
        try await setDisabled(false, req: req)
    }

    private func setDisabled(_ disabled: Bool, req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let record = try await account(req, staff)
        try await req.application.sip2Accounts.setDisabled(disabled, user: record.loginUser,
                                                           by: .staff(try staff.requireID(), ipAddress: req.clientAddress))
        return try await render(req, SIP2AccountPage.query(try await account(req, staff)))
    }

    @Sendable
    func rotatePassword(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let record = try await account(req, staff)
        let password = try await req.application.sip2Accounts.rotatePassword(user: record.loginUser,
                                                                            by: .staff(try staff.requireID(), ipAddress: req.clientAddress))
        var page = SIP2AccountPage.query(record)
        page.newPassword = password
        return try await render(req, page)
    }

    private func account(_ req: Request, _ staff: StaffMember) async throws -> SIP2AccountRecord {
        try await SIP2AccountPage.account(req.parameters.get("id", as: UUID.self), scope: SystemsScope(staff: staff), database: req.db)
    }

    private func listPage(_ req: Request, _ staff: StaffMember, form: FormState) async throws -> SIP2AccountsPage {
        try await SIP2AccountsPage.query(scope: SystemsScope(staff: staff), form: form, locale: req.locale, database: req.db)
    }

    private func render(_ req: Request, _ page: some Encodable, status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.renderSecretPage(page is SIP2AccountsPage ? "staff/sip2-accounts" : "staff/sip2-account", page, status: status)
    }
}
