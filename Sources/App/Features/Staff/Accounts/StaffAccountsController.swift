import Fluent
import Vapor

/// The administrators' staff accounts page: list, invite, change the role, disable, enable again, send a
/// new password link, reset the second factor (issue #14 item 6). The rules live in `StaffAdministration`.
struct StaffAccountsController: RouteCollection {
    static let roles = StaffAdministration.roles

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staffAccounts, use: index)
        routes.post(.staffAccounts, maximumBytes: .form, use: invite)
        routes.post(.staffAccountRole(id: .key), maximumBytes: .form, use: changeRole)
        routes.post(.staffAccountDisable(id: .key), maximumBytes: .form, use: disable)
        routes.post(.staffAccountEnable(id: .key), maximumBytes: .form, use: enable)
        routes.post(.staffAccountPasswordLink(id: .key), maximumBytes: .form, use: sendPasswordLink)
        routes.post(.staffAccountSecondFactorReset(id: .key), maximumBytes: .form, use: resetSecondFactor)
    }

    struct InviteForm: Content {
        var email: String?
        var role: String?
        var library: String?
    }

    struct RoleForm: Content {
        var role: String?
    }

    private func administration(_ req: Request) async throws -> StaffAdministration {
        let administrator = try await req.requireStaff(Self.roles)
        let now = req.now
        return StaffAdministration(
            accounts: StaffAccounts(database: req.db, outbox: req.outbox, localizer: req.application.localizer,
                                    baseURL: req.application.settings.baseURL,
                                    linkLifetime: req.application.settings.staffPasswordLinkLifetime, now: now),
            secondFactor: StaffSecondFactor(database: req.db, vault: req.application.vault, now: now,
                                            delayUnit: req.application.settings.signInDelayUnit),
            administrator: administrator, ipAddress: req.clientAddress)
    }

    @Sendable
    func index(req: Request) async throws -> Response {
        try await page(req, administration(req))
    }

    @Sendable
    func invite(req: Request) async throws -> Response {
        let administration = try await administration(req)
        let form = try req.content.decode(InviteForm.self)
        let email = (form.email ?? "").trimmingCharacters(in: .whitespaces)
        var state = FormState(values: ["email": email, "role": form.role ?? "", "library": form.library ?? ""])
        do {
            guard let role = form.role.flatMap(StaffMember.Role.init(rawValue:)) else { throw StaffAdministrationError.roleNotAllowed }
            try await administration.invite(email: email, role: role, libraryCode: form.library, locale: req.locale)
        } catch let error as StaffAdministrationError {
            state.errors[error == .invalidEmail || error == .emailTaken ? "email" : "form"] = req.t(error.messageKey)
            return try await page(req, administration, form: state, status: HTTPErrorMapping.status(for: error))
        }
        return try await page(req, administration, notice: req.t("staff.accounts.invited", ["email": email.lowercased()]), status: .created)
    }

    @Sendable
    func changeRole(req: Request) async throws -> Response {
        let administration = try await administration(req)
        guard let role = try req.content.decode(RoleForm.self).role.flatMap(StaffMember.Role.init(rawValue:)) else {
            throw StaffAdministrationError.roleNotAllowed
        }
        let staff = try await administration.changeRole(of: req.parameters.require("id"), to: role)
        return try await page(req, administration, notice: req.t("staff.accounts.role_changed",
                                                                 ["email": staff.email, "role": req.t("staff.role.\(role.rawValue)")]))
    }

    @Sendable
    func disable(req: Request) async throws -> Response {
        let administration = try await administration(req)
        let staff = try await administration.disable(req.parameters.require("id"))
        return try await page(req, administration, notice: req.t("staff.accounts.disabled_notice", ["email": staff.email]))
    }

    @Sendable
    func enable(req: Request) async throws -> Response {
        let administration = try await administration(req)
        let staff = try await administration.enable(req.parameters.require("id"), locale: req.locale)
        return try await page(req, administration, notice: req.t("staff.accounts.enabled_notice", ["email": staff.email]))
    }

    @Sendable
    func sendPasswordLink(req: Request) async throws -> Response {
        let administration = try await administration(req)
        let staff = try await administration.sendPasswordLink(to: req.parameters.require("id"), locale: req.locale)
        return try await page(req, administration, notice: req.t("staff.accounts.link_sent", ["email": staff.email]))
    }

    @Sendable
    func resetSecondFactor(req: Request) async throws -> Response {
        let administration = try await administration(req)
        let staff = try await administration.resetSecondFactor(of: req.parameters.require("id"))
        return try await page(req, administration, notice: req.t("staff.accounts.second_factor_reset_notice", ["email": staff.email]))
    }

    private func page(_ req: Request, _ administration: StaffAdministration, form: FormState = FormState(), notice: String? = nil,
                      status: HTTPResponseStatus = .ok) async throws -> Response {
        let administrator = administration.administrator
        let rows = try await administration.list().map { staff in
            let id = staff.id!
            let status = staff.disabledAt != nil ? "disabled" : (staff.passwordHash == nil ? "invited" : "active")
            return StaffAccountsPage.Row(
                id: id.uuidString, email: staff.email, library: staff.library.name(in: req.locale), role: staff.role.rawValue,
                roleName: req.t("staff.role.\(staff.role.rawValue)"),
                status: status, statusName: req.t("staff.accounts.status.\(status)"),
                secondFactor: staff.totpConfirmedAt != nil,
                lastSignIn: staff.lastSignInAt.map { DisplayTime.minute($0, in: req.locale) },
                actionable: id != administrator.id && staff.disabledAt == nil && administration.grantableRoles.contains(staff.role),
                enablable: id != administrator.id && staff.disabledAt != nil && administration.grantableRoles.contains(staff.role),
                rolePath: SiteURL.staffAccountRole(id: .value(id)).path,
                disablePath: SiteURL.staffAccountDisable(id: .value(id)).path,
                enablePath: SiteURL.staffAccountEnable(id: .value(id)).path,
                passwordLinkPath: SiteURL.staffAccountPasswordLink(id: .value(id)).path,
                secondFactorResetPath: SiteURL.staffAccountSecondFactorReset(id: .value(id)).path)
        }
        let chosenRole = form.values["role"] ?? StaffMember.Role.desk.rawValue
        var libraries: [StaffAccountsPage.Option]?
        if administrator.role == .consortiumAdmin {
            let chosen = form.values["library"] ?? administrator.library.code
            libraries = try await Library.query(on: req.db).sort(\.$position).all().map {
                .init(value: $0.code, label: $0.name(in: req.locale), selected: $0.code == chosen)
            }
        }
        let page = StaffAccountsPage(
            rows: rows,
            roles: administration.grantableRoles.map { .init(value: $0.rawValue, label: req.t("staff.role.\($0.rawValue)"), selected: $0.rawValue == chosenRole) },
            libraries: libraries, form: form, notice: notice)
        return try await req.view.render("staff/accounts", page).encodeResponse(status: status, for: req)
    }
}
