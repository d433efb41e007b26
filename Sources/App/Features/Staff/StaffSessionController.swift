import Fluent
import Vapor

/// Staff sign-in, sign-out and password setting; separate from readers' sign-in.
struct StaffSessionController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staffSignIn, use: signInForm)
        routes.post(.staffSignIn, use: signIn)
        routes.post(.staffSignOut, use: signOut)
        routes.get(.staffSetPassword, use: setPasswordForm)
        routes.post(.staffSetPassword, use: setPassword)
    }

    struct SignInPage: Encodable {
        var form: FormState
        var notice: String?
    }

    @Sendable
    func signInForm(req: Request) async throws -> View {
        let notice = req.query[String.self, at: "notice"].flatMap { $0 == "password_set" ? req.t("staff.password.set_done") : nil }
        return try await req.view.render("staff/sign-in", SignInPage(form: FormState(), notice: notice))
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
        let staff = try await StaffMember.query(on: req.db).filter(\.$email == email).first()
        // The same growing delay and lock as readers have: staff accounts open personal data.
        let throttle = SignInThrottle(database: req.db, now: req.now, delayUnit: req.application.settings.signInDelayUnit)
        let bucket = "signin:staff:\(staff?.id?.uuidString ?? "unknown")"
        let locked = staff == nil ? false : try await throttle.isLocked(bucket)
        let verified = try await req.password.async.verify(password, created: staff?.passwordHash ?? req.application.decoyPasswordHash)
        guard let staff, staff.passwordHash != nil, verified, !locked else {
            var delay: TimeInterval = 0
            if staff != nil { delay = try await throttle.recordFailure(bucket) }
            try await AuditTrail.record("staff.sign_in_failed", by: .anonymous(ipAddress: req.clientAddress),
                                        subject: staff.map { ("staff", $0.id!.uuidString) }, libraryID: staff?.$library.id,
                                        details: ["locked": locked ? "yes" : "no"], at: req.now, on: req.db)
            if delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000)) }
            state.errors["form"] = req.t("staff.sign_in.failed")
            return try await req.view.render("staff/sign-in", SignInPage(form: state)).encodeResponse(status: .unauthorized, for: req)
        }
        try await req.db.transaction { db in
            staff.lastSignInAt = req.now
            try await staff.save(on: db)
            try await AuditTrail.record("staff.signed_in", by: .staff(staff.id!, ipAddress: req.clientAddress),
                                        subject: ("staff", staff.id!.uuidString), libraryID: staff.$library.id,
                                        at: req.now, on: db)
        }
        try await req.rotateSession()
        req.session.data[Request.staffSessionKey] = staff.id!.uuidString
        return req.redirect(to: SiteURL.staffHome.path, redirectType: .normal)
    }

    @Sendable
    func signOut(req: Request) async throws -> Response {
        if let staff = try await req.staffMember() {
            try await AuditTrail.record("staff.signed_out", by: .staff(staff.id!, ipAddress: req.clientAddress),
                                        libraryID: staff.$library.id, at: req.now, on: req.db)
        }
        req.session.destroy()
        return req.redirect(to: SiteURL.staffSignIn.path, redirectType: .normal)
    }

    struct SetPasswordPage: Encodable {
        var token: String
        var email: String
        var form: FormState
    }

    private func staff(forToken token: String, req: Request) async throws -> StaffMember {
        guard !token.isEmpty,
              let staff = try await StaffMember.query(on: req.db)
                .filter(\.$passwordTokenHash == OneTimeToken.hash(token)).first(),
              let expiry = staff.passwordTokenExpiresAt, expiry > req.now
        else { throw StaffPasswordLinkError.invalidOrExpired }
        return staff
    }

    @Sendable
    func setPasswordForm(req: Request) async throws -> View {
        let token = req.query[String.self, at: "token"] ?? ""
        let staff = try await staff(forToken: token, req: req)
        return try await req.view.render("staff/set-password", SetPasswordPage(token: token, email: staff.email, form: FormState()))
    }

    @Sendable
    func setPassword(req: Request) async throws -> Response {
        let form = try req.content.decode(StaffSetPasswordForm.self)
        let token = form.token ?? ""
        let staff = try await staff(forToken: token, req: req)
        let password = form.password ?? ""
        var state = FormState()
        if let problem = StaffPasswordRule.problem(with: password, email: staff.email) {
            state.errors["password"] = req.t(problem)
        } else if password != (form.passwordConfirmation ?? "") {
            state.errors["passwordConfirmation"] = req.t("staff.password.mismatch")
        }
        if state.hasErrors {
            return try await req.view.render("staff/set-password", SetPasswordPage(token: token, email: staff.email, form: state))
                .encodeResponse(status: .unprocessableEntity, for: req)
        }
        let hash = try await req.password.async.hash(password)
        try await req.db.transaction { db in
            staff.passwordHash = hash
            staff.passwordTokenHash = nil
            staff.passwordTokenExpiresAt = nil
            try await staff.save(on: db)
            try await AuditTrail.record("staff.password_set", by: .staff(staff.id!, ipAddress: req.clientAddress),
                                        subject: ("staff", staff.id!.uuidString), libraryID: staff.$library.id,
                                        at: req.now, on: db)
        }
        return req.redirect(to: SiteURL.staffSignIn.path + "?notice=password_set", redirectType: .normal)
    }
}
