import Fluent
import OneCardDomain
import Vapor

/// 忘記密碼: an emailed one-time link, valid 30 minutes. The page answers the same whether or not the
/// card exists or has an email address, so it cannot be used to find out who holds a card.
struct PasswordResetController: RouteCollection {
    static let lifetime: TimeInterval = 30 * 60

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.forgotPassword, use: requestForm)
        routes.post(.forgotPassword, use: request)
        routes.get(.resetPassword, use: resetForm)
        routes.post(.resetPassword, use: reset)
    }

    struct RequestPage: Encodable {
        var sent: Bool
        var form: FormState
    }

    struct RequestForm: Content { var identifier: String? }

    @Sendable
    func requestForm(req: Request) async throws -> View {
        try await req.view.render("reader/forgot", RequestPage(sent: false, form: FormState()))
    }

    @Sendable
    func request(req: Request) async throws -> View {
        let identifier = (try req.content.decode(RequestForm.self).identifier ?? "").trimmingCharacters(in: .whitespaces)
        guard !identifier.isEmpty else {
            var state = FormState()
            state.errors["identifier"] = req.t("reader.sign_in.identifier_required")
            return try await req.view.render("reader/forgot", RequestPage(sent: false, form: state))
        }
        let limiter = RateLimiter(database: req.db)
        let withinAddressLimit = try await limiter.allow("reset:ip:\(req.clientAddress ?? "-")", limit: 20, per: 3600, now: req.now)
        if withinAddressLimit,
           let patron = try await PatronDirectory(vault: req.application.vault, database: req.db).activePatron(identifier: identifier),
           let email = patron.email,
           try await limiter.allow("reset:patron:\(patron.requireID().uuidString)", limit: 3, per: 3600, now: req.now) {
            let (token, hash) = OneTimeToken.make()
            var components = URLComponents(url: req.application.settings.baseURL, resolvingAgainstBaseURL: false)!
            components.path = SiteURL.resetPassword.path
            components.queryItems = [URLQueryItem(name: "token", value: token)]
            let link = components.url!.absoluteString
            let locale = SiteLocale(rawValue: patron.locale) ?? req.locale
            try await req.db.transaction { db in
                try await PasswordResetToken(patronID: patron.requireID(), tokenHash: hash,
                                             expiresAt: req.now.addingTimeInterval(Self.lifetime)).create(on: db)
                try await AuditTrail.record("reader.password_reset_requested", by: .anonymous(ipAddress: req.clientAddress),
                                            subject: ("patron", patron.id!.uuidString), libraryID: patron.$library.id, at: req.now, on: db)
                try await Outbox(localizer: req.application.localizer, settings: req.application.settings, now: req.now).enqueueEmail(
                    template: "password_reset", to: email, locale: locale,
                    values: ["name": patron.name, "link": link, "minutes": "30"],
                    partitionKey: PatronMail.partitionKey(patron.requireID()), on: db)
            }
        }
        return try await req.view.render("reader/forgot", RequestPage(sent: true, form: FormState()))
    }

    struct ResetPage: Encodable {
        var token: String
        var form: FormState
    }

    struct ResetForm: Content {
        var token: String?
        var password: String?
        var passwordConfirmation: String?
    }

    private func validToken(_ token: String, req: Request) async throws -> PasswordResetToken {
        guard !token.isEmpty,
              let record = try await PasswordResetToken.query(on: req.db).filter(\.$tokenHash == OneTimeToken.hash(token))
                .filter(\.$usedAt == nil).with(\.$patron).first(),
              record.expiresAt > req.now, record.patron.status == .active
        else { throw PasswordResetError.invalidOrExpired }
        return record
    }

    @Sendable
    func resetForm(req: Request) async throws -> View {
        let token = req.query[String.self, at: "token"] ?? ""
        _ = try await validToken(token, req: req)
        return try await req.view.render("reader/reset", ResetPage(token: token, form: FormState()))
    }

    @Sendable
    func reset(req: Request) async throws -> Response {
        let form = try req.content.decode(ResetForm.self)
        let token = form.token ?? ""
        let record = try await validToken(token, req: req)
        let patron = record.patron
        let password = form.password ?? ""
        var state = FormState()
        state.errors = try req.application.newPasswordErrors(password, confirmation: form.passwordConfirmation ?? "", for: patron)
            .mapValues { req.t("apply.error.\($0)") }
        if state.hasErrors {
            return try await req.view.render("reader/reset", ResetPage(token: token, form: state)).encodeResponse(status: .unprocessableEntity, for: req)
        }
        let hash = try await req.password.async.hash(password)
        try await req.db.transaction { db in
            patron.passwordHash = hash
            try await patron.save(on: db)
            // Every outstanding link of this reader dies with the one used.
            try await PasswordResetToken.query(on: db).filter(\.$patron.$id == patron.requireID()).filter(\.$usedAt == nil)
                .set(\.$usedAt, to: req.now).update()
            try await AuditTrail.record("reader.password_reset", by: AuditActor(type: "reader", id: patron.id?.uuidString, ipAddress: req.clientAddress),
                                        subject: ("patron", patron.id!.uuidString), libraryID: patron.$library.id, at: req.now, on: db)
        }
        return req.redirect(to: SiteURL.service(.signIn).path + "?notice=password_reset", redirectType: .normal)
    }
}
