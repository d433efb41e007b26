import Fluent
import Vapor

/// Staff sign-in, sign-out and password setting; separate from readers' sign-in.
struct StaffSessionController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staffSignIn, use: signInForm)
        routes.post(.staffSignIn, maximumBytes: .form, use: signIn)
        routes.post(.staffSignOut, maximumBytes: .form, use: signOut)
        routes.get(.staffSetPassword, use: setPasswordForm)
        routes.post(.staffSetPassword, maximumBytes: .form, use: setPassword)
    }

    struct SignInPage: Encodable {
        var form: FormState
        var notice: String?
    }

    private func service(_ req: Request) -> StaffSessionService {
        StaffSessionService(database: req.db, credentials: req.credentialCheck, passwords: req.passwordHashing, now: req.now)
    }

    @Sendable
    func signInForm(req: Request) async throws -> Response {
        // A session past its password (one signed in before second factors existed, too) continues at its second factor.
        if let step = try await req.staffSecondFactorStep() { return req.redirect(to: step.path, redirectType: .normal) }
        let notice = req.query[String.self, at: "notice"].flatMap { $0 == "password_set" ? req.t("staff.password.set_done") : nil }
        return try await req.view.render("staff/sign-in", SignInPage(form: FormState(), notice: notice)).encodeResponse(for: req)
    }

    @Sendable
    func signIn(req: Request) async throws -> Response {
        let form = try req.content.decode(StaffSignInForm.self)
        let email = (form.email ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        let password = form.password ?? ""
        var state = FormState(values: ["email": email])
        if email.isEmpty { state.errors["email"] = req.t("staff.sign_in.email_required") }
        if password.isEmpty { state.errors["password"] = req.t("staff.sign_in.password_required") }
        if state.hasErrors {
            return try await req.view.render("staff/sign-in", SignInPage(form: state)).encodeResponse(status: .unprocessableEntity, for: req)
        }
        let signedIn: StaffMember?
        do {
            signedIn = try await service(req).signIn(email: email, password: password, ipAddress: req.clientAddress)
        } catch let error as AddressLimitError {
            state.errors["form"] = req.t(error.messageKey, error.messageValues)
            return try await req.view.render("staff/sign-in", SignInPage(form: state))
                .encodeResponse(status: HTTPErrorMapping.status(for: error), headers: HTTPErrorMapping.headers(for: error), for: req)
        } catch let error as PasswordHashingBusy {
            state.errors["form"] = req.t(error.messageKey)
            return try await req.view.render("staff/sign-in", SignInPage(form: state))
                .encodeResponse(status: HTTPErrorMapping.status(for: error), headers: HTTPErrorMapping.headers(for: error), for: req)
        }
        guard let staff = signedIn else {
            state.errors["form"] = req.t("staff.sign_in.failed")
            return try await req.view.render("staff/sign-in", SignInPage(form: state)).encodeResponse(status: .unauthorized, for: req)
        }
        try await req.rotateSession()
        req.session.data[Request.staffSessionKey] = staff.id!.uuidString
        guard staff.role.requiresSecondFactor else { return req.redirect(to: SiteURL.staffHome.path, redirectType: .normal) }
        let step: SiteURL = staff.totpConfirmedAt == nil ? .staffSecondFactorEnrol : .staffSecondFactor
        return req.redirect(to: step.path, redirectType: .normal)
    }

    @Sendable
    func signOut(req: Request) async throws -> Response {
        let signedIn = try await req.staffMember()
        if let staff = try await signedIn == nil ? req.staffAwaitingSecondFactor() : signedIn {
            try await service(req).signOut(staff, ipAddress: req.clientAddress)
        }
        req.session.destroy()
        return req.redirect(to: SiteURL.staffSignIn.path, redirectType: .normal)
    }

    struct SetPasswordPage: Encodable {
        var token: String
        var email: String
        var form: FormState
    }

    @Sendable
    func setPasswordForm(req: Request) async throws -> View {
        let token = req.query[String.self, at: "token"] ?? ""
        let staff = try await service(req).passwordLink(token)
        return try await req.view.render("staff/set-password", SetPasswordPage(token: token, email: staff.email, form: FormState()))
    }

    @Sendable
    func setPassword(req: Request) async throws -> Response {
        let service = service(req)
        var found: StaffMember?
        return try await PasswordLinkForm.post(req, done: SiteURL.staffSignIn.path + "?notice=password_set") { token, password, confirmation in
            let staff = try await service.passwordLink(token)
            found = staff
            try await service.setPassword(staff, password: password, confirmation: confirmation, ipAddress: req.clientAddress)
        } page: { token, form in
            // Only a found link can refuse a password, so `found` is set here.
            try await req.view.render("staff/set-password", SetPasswordPage(token: token, email: found!.email, form: form))
        }
    }
}
