import Fluent
import OneCardDomain
import Vapor

/// Reader sign-in (登入) with a card number, ID number or bound EasyCard/iPASS and a password;
/// separate from staff sign-in.
struct ReaderSessionController: RouteCollection {
    static let sessionKey = "patron_id"

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.service(.signIn), use: form)
        routes.post(.service(.signIn), maximumBytes: .form, use: signIn)
        routes.post(.readerSignOut, maximumBytes: .form, use: signOut)
        routes.get(.myHome, use: home)
        routes.get(.account, use: account)
        routes.get(.accountData, use: download)
        routes.get(.accountDataPage, use: readableCopy)
    }

    struct SignInPage: Encodable {
        var form: FormState
        var notice: String? = nil
        /// Offers 以台北通登入 when a Taipei Pass provider is configured.
        var taipeiPass = false
        /// Why the last trip to Taipei Pass did not sign in (`?taipei_pass=`).
        var problem: String? = nil
    }

    struct SignInForm: Content {
        var identifier: String?
        var password: String?
    }

    private func service(_ req: Request) -> ReaderSessionService {
        ReaderSessionService(database: req.db, vault: req.application.vault, credentials: req.credentialCheck, now: req.now)
    }

    @Sendable
    func form(req: Request) async throws -> View {
        let notices = ["password_reset": "reader.sign_in.reset_done", "card_activated": "reader.sign_in.card_activated"]
        let notice = req.query[String.self, at: "notice"].flatMap { notices[$0] }.map { req.t($0) }
        // Back from Taipei Pass without signing in (not linked, cancelled, …): say why above the form.
        let problem = req.query[String.self, at: "taipei_pass"].flatMap(TaipeiPassFailure.init(rawValue:)).map { req.t($0.messageKey) }
        return try await req.view.render("reader/sign-in", SignInPage(form: FormState(), notice: notice, taipeiPass: offersTaipeiPass(req),
                                                                      problem: problem))
    }

    @Sendable
    func signIn(req: Request) async throws -> Response {
        let form = try req.content.decode(SignInForm.self)
        let identifier = (form.identifier ?? "").trimmingCharacters(in: .whitespaces)
        let password = form.password ?? ""
        var state = FormState(values: ["identifier": identifier])
        if identifier.isEmpty { state.errors["identifier"] = req.t("reader.sign_in.identifier_required") }
        if password.isEmpty { state.errors["password"] = req.t("reader.sign_in.password_required") }
        if state.hasErrors {
            return try await req.view.render("reader/sign-in", SignInPage(form: state, taipeiPass: offersTaipeiPass(req)))
                .encodeResponse(status: .unprocessableEntity, for: req)
        }
        let signedIn: Patron?
        do {
            signedIn = try await service(req).signIn(identifier: identifier, password: password, ipAddress: req.clientAddress)
        } catch let error as AddressLimitError {
            state.errors["form"] = req.t(error.messageKey, error.messageValues)
            return try await req.view.render("reader/sign-in", SignInPage(form: state, taipeiPass: offersTaipeiPass(req)))
                .encodeResponse(status: HTTPErrorMapping.status(for: error), headers: HTTPErrorMapping.headers(for: error), for: req)
        } catch let error as PasswordHashingBusy {
            state.errors["form"] = req.t(error.messageKey)
            return try await req.view.render("reader/sign-in", SignInPage(form: state, taipeiPass: offersTaipeiPass(req)))
                .encodeResponse(status: HTTPErrorMapping.status(for: error), headers: HTTPErrorMapping.headers(for: error), for: req)
        }
        guard let patron = signedIn else {
            // One message for every failure: it must not tell whether the account exists or is locked.
            state.errors["form"] = req.t("reader.sign_in.failed")
            return try await req.view.render("reader/sign-in", SignInPage(form: state, taipeiPass: offersTaipeiPass(req)))
                .encodeResponse(status: .unauthorized, for: req)
        }
        try await req.rotateSession()
        req.session.data[Self.sessionKey] = patron.id!.uuidString
        if let ask = try await req.askRenewedConsent(of: patron.requireID(), thenTo: SiteURL.myHome.path, channel: "web") { return ask }
        return req.redirect(to: SiteURL.myHome.path, redirectType: .normal)
    }

    private func offersTaipeiPass(_ req: Request) -> Bool { req.application.settings.taipeiPass != nil }

    @Sendable
    func signOut(req: Request) async throws -> Response {
        req.session.destroy()
        return req.redirect(to: SiteURL.service(.signIn).path, redirectType: .normal)
    }

    /// 我的主頁: where sign-in lands (the seed's step 二) and the way to 我的帳戶.
    @Sendable
    func home(req: Request) async throws -> Response {
        guard let patron = try await req.signedInPatron() else { return req.redirect(to: SiteURL.service(.signIn).path) }
        let page = ReaderCardPage(patron, cardNumber: patron.cardNumber ?? "", locale: req.locale,
                                  localizer: req.application.localizer, now: req.now)
        return try await req.view.render("reader/home", page).encodeResponse(for: req)
    }

    /// 我的帳戶: the reader's own data (ID masked) and the consents they gave, with versions and dates.
    @Sendable
    func account(req: Request) async throws -> Response {
        guard let patron = try await req.signedInPatron() else { return req.redirect(to: SiteURL.service(.signIn).path) }
        let page = try await ReaderAccountPage.Model.query(patron: patron, notice: req.query[String.self, at: "notice"], locale: req.locale,
                                                           localizer: req.application.localizer, vault: req.application.vault, on: req.db)
        return try await req.view.render("reader/account", page).encodeResponse(for: req)
    }

    /// 下載我的資料: everything OneCard holds about the signed-in reader, as JSON (the right of access).
    @Sendable
    func download(req: Request) async throws -> Response {
        guard let patron = try await req.signedInPatron() else { return req.redirect(to: SiteURL.service(.signIn).path) }
        let export = try await ReaderDataDownload.Model.query(patron: patron, vault: req.application.vault, now: req.now,
                                                              ipAddress: req.clientAddress, on: req.db)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"onecard-my-data.json\"")
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return Response(status: .ok, headers: headers, body: .init(data: try encoder.encode(export)))
    }

    /// 下載我的資料 as a page in the reader's language, to read, print or save as PDF: the same content
    /// as the JSON file, gathered and audited the same way, and kept out of every cache.
    @Sendable
    func readableCopy(req: Request) async throws -> Response {
        guard let patron = try await req.signedInPatron() else { return req.redirect(to: SiteURL.service(.signIn).path) }
        let export = try await ReaderDataDownload.Model.query(patron: patron, vault: req.application.vault, now: req.now,
                                                              ipAddress: req.clientAddress, on: req.db)
        let page = ReaderDataDownload.Page(export, library: patron.library, localizer: req.application.localizer, locale: req.locale)
        let response = try await req.view.render("reader/my-data", page).encodeResponse(for: req)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }
}
