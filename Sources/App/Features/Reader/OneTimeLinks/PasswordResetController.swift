import Fluent
import OneCardDomain
import Vapor

/// 忘記密碼: an emailed one-time link, valid 30 minutes. The page answers the same whether or not the
/// card exists or has an email address, so it cannot be used to find out who holds a card.
struct PasswordResetController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.forgotPassword, use: requestForm)
        routes.post(.forgotPassword, maximumBytes: .form, use: request)
        routes.get(.resetPassword, use: resetForm)
        routes.post(.resetPassword, maximumBytes: .form, use: reset)
    }

    struct RequestPage: Encodable {
        var sent: Bool
        var form: FormState
    }

    struct RequestForm: Content { var identifier: String? }

    private func service(_ req: Request) -> PasswordResetService {
        PasswordResetService(database: req.db, vault: req.application.vault, passwords: req.passwordHashing,
                             passwordRule: req.readerPasswordRule, outbox: req.outbox, baseURL: req.application.settings.baseURL,
                             now: req.now)
    }

    @Sendable
    func requestForm(req: Request) async throws -> View {
        try await req.view.render("reader/forgot", RequestPage(sent: false, form: FormState()))
    }

    @Sendable
    func request(req: Request) async throws -> Response {
        let identifier = (try req.content.decode(RequestForm.self).identifier ?? "").trimmingCharacters(in: .whitespaces)
        guard !identifier.isEmpty else {
            var state = FormState()
            state.errors["identifier"] = req.t("reader.sign_in.identifier_required")
            return try await req.view.render("reader/forgot", RequestPage(sent: false, form: state)).encodeResponse(for: req)
        }
        do {
            try await service(req).requestLink(identifier: identifier, fallbackLocale: req.locale, ipAddress: req.clientAddress)
        } catch let error as AddressLimitError {
            var state = FormState()
            state.errors["identifier"] = req.t(error.messageKey, error.messageValues)
            return try await req.view.render("reader/forgot", RequestPage(sent: false, form: state))
                .encodeResponse(status: HTTPErrorMapping.status(for: error), headers: HTTPErrorMapping.headers(for: error), for: req)
        }
        return try await req.view.render("reader/forgot", RequestPage(sent: true, form: FormState())).encodeResponse(for: req)
    }

    struct ResetPage: Encodable {
        var token: String
        var form: FormState
    }

    @Sendable
    func resetForm(req: Request) async throws -> View {
        let token = req.query[String.self, at: "token"] ?? ""
        _ = try await service(req).validLink(token)
        return try await req.view.render("reader/reset", ResetPage(token: token, form: FormState()))
    }

    @Sendable
    func reset(req: Request) async throws -> Response {
        let service = service(req)
        return try await PasswordLinkForm.post(req, done: SiteURL.service(.signIn).path + "?notice=password_reset") { token, password, confirmation in
            try await service.reset(token: token, password: password, confirmation: confirmation, ipAddress: req.clientAddress)
        } page: { token, form in
            try await req.view.render("reader/reset", ResetPage(token: token, form: form))
        }
    }
}
