import Fluent
import Vapor

/// `/ezproxy/{host}/login?url=…`: OneCard as an EZproxy host's login (OCLC's CGI authentication, issue #15
/// item 3). EZproxy's `::CGI=` line sends readers here; a signed-in reader goes straight back with a ticket,
/// anyone else signs in first on this page, through the reader sign-in (`ReaderSessionService`: the same
/// lock, per-address limit, decoy and audit as `/login`), and then goes back.
struct EZproxyController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.ezproxyLogin(host: .key), use: show)
        routes.post(.ezproxyLogin(host: .key), maximumBytes: .form, use: signIn)
    }

    struct Page: Encodable {
        var form: FormState
        var action: String
        var destination: String
        var library: String
    }

    struct SignInForm: Content {
        var identifier: String?
        var password: String?
        var url: String?
    }

    private func login(_ req: Request) -> EZproxyLogin {
        EZproxyLogin(database: req.db, vault: req.application.vault, now: req.now)
    }

    private func host(_ req: Request) async throws -> EZproxyHost {
        guard let host = try await login(req).host(named: try req.parameters.require("host")) else { throw OneCardError.notFound }
        return host
    }

    @Sendable
    func show(req: Request) async throws -> Response {
        let host = try await host(req)
        let destination = req.query[String.self, at: "url"]
        if let patron = try await req.signedInPatron() {
            return try await send(patron, to: host, destination: destination, req)
        }
        return try await render(req, host: host, form: FormState(), destination: destination, status: .ok)
    }

    @Sendable
    func signIn(req: Request) async throws -> Response {
        let host = try await host(req)
        let form = try req.content.decode(SignInForm.self)
        let identifier = (form.identifier ?? "").trimmingCharacters(in: .whitespaces)
        let password = form.password ?? ""
        var state = FormState(values: ["identifier": identifier])
        if identifier.isEmpty { state.errors["identifier"] = req.t("reader.sign_in.identifier_required") }
        if password.isEmpty { state.errors["password"] = req.t("reader.sign_in.password_required") }
        if state.hasErrors { return try await render(req, host: host, form: state, destination: form.url, status: .unprocessableEntity) }
        let signedIn: Patron?
        do {
            signedIn = try await ReaderSessionService(database: req.db, vault: req.application.vault, credentials: req.credentialCheck,
                                                      now: req.now)
                .signIn(identifier: identifier, password: password, ipAddress: req.clientAddress)
        } catch let error as AddressLimitError {
            state.errors["form"] = req.t(error.messageKey, error.messageValues)
            return try await render(req, host: host, form: state, destination: form.url, status: HTTPErrorMapping.status(for: error),
                                    headers: HTTPErrorMapping.headers(for: error))
        }
        guard let patron = signedIn else {
            // The sign-in page's one message: it must not tell whether the card exists or is locked.
            state.errors["form"] = req.t("reader.sign_in.failed")
            return try await render(req, host: host, form: state, destination: form.url, status: .unauthorized)
        }
        try await req.rotateSession()
        req.session.data[ReaderSessionController.sessionKey] = patron.id!.uuidString
        // Back to this login page, which sends the now signed-in reader on to EZproxy with a fresh ticket.
        var loginPage = URLComponents()
        loginPage.path = SiteURL.ezproxyLogin(host: .value(host.name)).path
        if let destination = form.url { loginPage.queryItems = [URLQueryItem(name: "url", value: destination)] }
        if let ask = try await req.askRenewedConsent(of: patron.requireID(), thenTo: loginPage.string ?? loginPage.path,
                                                     channel: "ezproxy") { return ask }
        return try await send(patron, to: host, destination: form.url, req)
    }

    private func send(_ patron: Patron, to host: EZproxyHost, destination: String?, _ req: Request) async throws -> Response {
        let url = try await login(req).ticketURL(for: patron, host: host, destination: destination, ipAddress: req.clientAddress)
        let response = req.redirect(to: url, redirectType: .normal)
        // The ticket is a credential for a minute: no cache, and no Referer for EZproxy's pages to pass on.
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    private func render(_ req: Request, host: EZproxyHost, form: FormState, destination: String?, status: HTTPResponseStatus,
                        headers: HTTPHeaders = [:]) async throws -> Response {
        let library = try await host.$library.get(on: req.db)
        let page = Page(form: form, action: SiteURL.ezproxyLogin(host: .value(host.name)).path, destination: destination ?? "",
                        library: req.locale == .en ? library.nameEN : library.nameZH)
        let response = try await req.view.render("ezproxy/sign-in", page).encodeResponse(status: status, for: req)
        for (name, value) in headers { response.headers.replaceOrAdd(name: name, value: value) }
        return response
    }
}
