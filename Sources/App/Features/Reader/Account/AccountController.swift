import Fluent
import Vapor

/// 我的帳戶 changes: password (re-enter the old one), mobile and email (email re-authenticated),
/// a name change asked of staff, erasure asked of staff, and withdrawing a consent.
struct AccountController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.accountPassword, use: passwordForm)
        routes.post(.accountPassword, maximumBytes: .form, use: changePassword)
        routes.get(.accountContact, use: contactForm)
        routes.post(.accountContact, maximumBytes: .form, use: updateContact)
        routes.get(.accountRequest(kind: .key), use: requestForm)
        routes.post(.accountRequest(kind: .key), maximumBytes: .form, use: makeRequest)
        routes.post(.accountConsentWithdraw(id: .key), maximumBytes: .form, use: withdrawConsent)
    }

    struct FormPage: Encodable {
        var form: FormState
        /// For the request pages: `name_change` or `deletion`.
        var kind: String? = nil
        var currentName: String? = nil
        var pending: Bool = false
        var titleKey: String { "reader.request.\(kind ?? "").title" }
        var introKey: String { "reader.request.\(kind ?? "").intro" }
        var submitKey: String { "reader.request.\(kind ?? "").submit" }
        /// Where a request page's form posts.
        var requestPath: String? { kind.map { SiteURL.accountRequest(kind: .value($0)).path } }

        enum CodingKeys: String, CodingKey { case form, kind, currentName, pending, titleKey, introKey, submitKey, requestPath }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(form, forKey: .form)
            try container.encodeIfPresent(kind, forKey: .kind)
            try container.encodeIfPresent(currentName, forKey: .currentName)
            try container.encode(pending, forKey: .pending)
            try container.encode(titleKey, forKey: .titleKey)
            try container.encode(introKey, forKey: .introKey)
            try container.encode(submitKey, forKey: .submitKey)
            try container.encodeIfPresent(requestPath, forKey: .requestPath)
        }
    }

    private func service(_ req: Request) -> PatronAccountService {
        req.patronAccountService
    }

    private func render(_ template: String, _ page: FormPage, _ req: Request, status: HTTPStatus = .ok) async throws -> Response {
        try await req.view.render(template, page).encodeResponse(status: status, for: req)
    }

    private func errors(_ codes: [String: String], _ req: Request) -> [String: String] {
        codes.mapValues { req.t("apply.error.\($0)") }
    }

    private func done(_ req: Request, _ notice: String) -> Response {
        req.redirect(to: SiteURL.account.path + "?notice=\(notice)", redirectType: .normal)
    }

    // MARK: Password

    struct PasswordForm: Content {
        var currentPassword: String?
        var password: String?
        var passwordConfirmation: String?
    }

    @Sendable
    func passwordForm(req: Request) async throws -> Response {
        guard try await req.signedInPatron() != nil else { return req.redirect(to: SiteURL.service(.signIn).path) }
        return try await render("reader/password", FormPage(form: FormState()), req)
    }

    @Sendable
    func changePassword(req: Request) async throws -> Response {
        guard let patron = try await req.signedInPatron() else { return req.redirect(to: SiteURL.service(.signIn).path) }
        let form = try req.content.decode(PasswordForm.self)
        do {
            try await service(req).changePassword(patron, current: form.currentPassword ?? "", new: form.password ?? "",
                                                  confirmation: form.passwordConfirmation ?? "", ipAddress: req.clientAddress)
        } catch PatronAccountService.Failure.invalid(let codes) {
            return try await render("reader/password", FormPage(form: FormState(errors: errors(codes, req))), req, status: .unprocessableEntity)
        }
        // A new password starts a new session id; the old one is worth nothing.
        try await req.rotateSession(keeping: [LocaleMiddleware.sessionKey, ReaderSessionController.sessionKey])
        return done(req, "password_changed")
    }

    // MARK: Contact details

    struct ContactForm: Content {
        var mobile: String?
        var email: String?
        var currentPassword: String?
    }

    @Sendable
    func contactForm(req: Request) async throws -> Response {
        guard let patron = try await req.signedInPatron() else { return req.redirect(to: SiteURL.service(.signIn).path) }
        let state = FormState(values: ["mobile": patron.mobile ?? "", "email": patron.email ?? ""])
        return try await render("reader/contact", FormPage(form: state), req)
    }

    @Sendable
    func updateContact(req: Request) async throws -> Response {
        guard let patron = try await req.signedInPatron() else { return req.redirect(to: SiteURL.service(.signIn).path) }
        let form = try req.content.decode(ContactForm.self)
        do {
            try await service(req).updateContact(patron, mobile: form.mobile ?? "", email: form.email ?? "",
                                                 currentPassword: form.currentPassword ?? "", ipAddress: req.clientAddress)
        } catch PatronAccountService.Failure.invalid(let codes) {
            let state = FormState(values: ["mobile": form.mobile ?? "", "email": form.email ?? ""], errors: errors(codes, req))
            return try await render("reader/contact", FormPage(form: state), req, status: .unprocessableEntity)
        }
        return done(req, "contact_changed")
    }

    // MARK: Requests to staff

    struct RequestForm: Content {
        var name: String?
        var note: String?
        var currentPassword: String?
    }

    private func kind(_ req: Request) throws -> PatronRequest.Kind {
        guard let kind = PatronRequest.Kind(rawValue: req.parameters.get("kind")?.replacingOccurrences(of: "-", with: "_") ?? "") else {
            throw Abort(.notFound)
        }
        return kind
    }

    @Sendable
    func requestForm(req: Request) async throws -> Response {
        guard let patron = try await req.signedInPatron() else { return req.redirect(to: SiteURL.service(.signIn).path) }
        let kind = try kind(req)
        let pending = try await service(req).openRequests(of: patron).contains { $0.kind == kind }
        return try await render("reader/request", FormPage(form: FormState(), kind: kind.rawValue, currentName: patron.name, pending: pending), req)
    }

    @Sendable
    func makeRequest(req: Request) async throws -> Response {
        guard let patron = try await req.signedInPatron() else { return req.redirect(to: SiteURL.service(.signIn).path) }
        let kind = try kind(req)
        let form = try req.content.decode(RequestForm.self)
        let page = { (codes: [String: String]) in
            FormPage(form: FormState(values: ["name": form.name ?? "", "note": form.note ?? ""], errors: errors(codes, req)),
                     kind: kind.rawValue, currentName: patron.name)
        }
        do {
            // Erasure cannot be undone: it needs the password, so a forgotten open session cannot ask for it.
            if kind == .deletion, try await !service(req).verifyCurrentPassword(form.currentPassword ?? "", of: patron, ipAddress: req.clientAddress) {
                throw PatronAccountService.Failure.invalid(["currentPassword": (form.currentPassword ?? "").isEmpty ? "current_password_required" : "current_password_wrong"])
            }
            _ = try await service(req).request(kind, for: patron, requestedName: form.name, note: form.note ?? "", ipAddress: req.clientAddress)
        } catch PatronAccountService.Failure.invalid(let codes) {
            return try await render("reader/request", page(codes), req, status: .unprocessableEntity)
        } catch PatronAccountService.Failure.requestAlreadyOpen {
            var open = page([:])
            open.pending = true
            return try await render("reader/request", open, req, status: .conflict)
        }
        return done(req, "\(kind.rawValue)_requested")
    }

    @Sendable
    func withdrawConsent(req: Request) async throws -> Response {
        guard let patron = try await req.signedInPatron() else { return req.redirect(to: SiteURL.service(.signIn).path) }
        guard let id = req.parameters.get("id", as: UUID.self) else { throw Abort(.notFound) }
        switch try await service(req).withdrawConsent(id, of: patron, ipAddress: req.clientAddress) {
        case .partnerDisabled: return done(req, "consent_withdrawn")
        case .erasureRequested: return done(req, "deletion_requested")
        case .alreadyWithdrawn: return done(req, "consent_withdrawn")
        }
    }
}
