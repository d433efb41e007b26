import Fluent
import OneCardDomain
import Vapor

/// 開通數位借閱證: the holder of a card made for them (a group digital card) opens the emailed one-time
/// link and sets their own password, after reading the holder's obligations; then signs in at /login.
struct CardActivationLinkController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.activateCard, use: form)
        routes.post(.activateCard, use: activate)
    }

    struct Page: Encodable {
        var token: String
        var name: String
        var cardNumber: String
        var library: String
        var obligations: [String]
        var form: FormState
    }

    struct Form: Content {
        var token: String?
        var password: String?
        var passwordConfirmation: String?
    }

    private func validToken(_ token: String, req: Request) async throws -> PatronActivationToken {
        guard !token.isEmpty,
              let record = try await PatronActivationToken.query(on: req.db).filter(\.$tokenHash == OneTimeToken.hash(token))
                .filter(\.$usedAt == nil).with(\.$patron, { $0.with(\.$library) }).first(),
              record.expiresAt > req.now, record.patron.status == .active
        else { throw CardActivationLinkError.invalidOrExpired }
        return record
    }

    private func page(_ record: PatronActivationToken, token: String, form: FormState, req: Request) -> Page {
        let patron = record.patron
        return Page(token: token, name: patron.name, cardNumber: patron.cardNumber ?? "",
                    library: patron.library.name(in: req.locale),
                    obligations: GroupApplicationController.points("group.info.holder_obligation", req), form: form)
    }

    @Sendable
    func form(req: Request) async throws -> View {
        let token = req.query[String.self, at: "token"] ?? ""
        let record = try await validToken(token, req: req)
        return try await req.view.render("reader/activate", page(record, token: token, form: FormState(), req: req))
    }

    @Sendable
    func activate(req: Request) async throws -> Response {
        let form = try req.content.decode(Form.self)
        let token = form.token ?? ""
        let record = try await validToken(token, req: req)
        let patron = record.patron
        let password = form.password ?? ""
        var state = FormState()
        state.errors = try req.application.newPasswordErrors(password, confirmation: form.passwordConfirmation ?? "", for: patron)
            .mapValues { req.t("apply.error.\($0)") }
        if state.hasErrors {
            return try await req.view.render("reader/activate", page(record, token: token, form: state, req: req))
                .encodeResponse(status: .unprocessableEntity, for: req)
        }
        let hash = try await req.password.async.hash(password)
        try await req.db.transaction { db in
            let claimed = try await PatronActivationToken.query(on: db).filter(\.$id == record.requireID()).filter(\.$usedAt == nil).count()
            guard claimed == 1 else { throw CardActivationLinkError.invalidOrExpired }
            try await PatronActivationToken.query(on: db).filter(\.$patron.$id == patron.requireID()).filter(\.$usedAt == nil)
                .set(\.$usedAt, to: req.now).update()
            patron.passwordHash = hash
            try await patron.save(on: db)
            try await AuditTrail.record("reader.card_activated", by: AuditActor(type: "reader", id: patron.id?.uuidString, ipAddress: req.clientAddress),
                                        subject: ("patron", patron.id!.uuidString), libraryID: patron.$library.id, at: req.now, on: db)
        }
        return req.redirect(to: SiteURL.service(.signIn).path + "?notice=card_activated", redirectType: .normal)
    }
}
