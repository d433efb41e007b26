import Fluent
import OneCardDomain
import Vapor

/// 開通數位借閱證: the holder of a card made for them (a group digital card) opens the emailed one-time
/// link and sets their own password, after reading the holder's obligations; then signs in at /login.
struct CardActivationLinkController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.activateCard, use: form)
        routes.post(.activateCard, maximumBytes: .form, use: activate)
    }

    struct Page: Encodable {
        var token: String
        var name: String
        var cardNumber: String
        var library: String
        var obligations: [String]
        var form: FormState
    }

    private func service(_ req: Request) -> CardActivationLinkService {
        CardActivationLinkService(database: req.db, passwords: req.passwordHashing, passwordRule: req.readerPasswordRule, now: req.now)
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
        let record = try await service(req).validLink(token)
        return try await req.view.render("reader/activate", page(record, token: token, form: FormState(), req: req))
    }

    @Sendable
    func activate(req: Request) async throws -> Response {
        let service = service(req)
        var found: PatronActivationToken?
        return try await PasswordLinkForm.post(req, done: SiteURL.service(.signIn).path + "?notice=card_activated") { token, password, confirmation in
            let record = try await service.validLink(token)
            found = record
            try await service.activate(record, password: password, confirmation: confirmation, ipAddress: req.clientAddress)
        } page: { token, form in
            // Only a found link can refuse a password, so `found` is set here.
            try await req.view.render("reader/activate", page(found!, token: token, form: form, req: req))
        }
    }
}
