import Fluent
import JWTKit
import OneCardDomain
import Vapor

/// The reader's side of a sign-in through OneCard: the authorization endpoint (code flow), sign-in with
/// the web sign-in's own service (same lock and throttle), the consent screen, and RP-initiated logout.
struct OIDCSignInController: RouteCollection {
    static let requestKey = "oidc_request"
    static let authTimeKey = "oidc_auth_time"

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.oidcAuthorize, use: authorize)
        routes.get(.oidcContinue, use: resume)
        routes.post(.oidcSignIn, maximumBytes: .form, use: signIn)
        routes.post(.oidcConsent, maximumBytes: .form, use: consent)
        routes.get(.oidcLogout, use: logout)
    }

    @Sendable
    func authorize(req: Request) async throws -> Response {
        let query = try req.query.decode(OIDCAuthorizationRequest.Query.self)
        var client: OIDCClient? = nil
        if let clientID = query.client_id { client = try await OIDCClient.query(on: req.db).filter(\.$clientID == clientID).first() }
        let request: OIDCAuthorizationRequest
        do {
            request = try OIDCAuthorizationRequest.validate(query, client: client)
        } catch {
            switch error {
            case .page(let reason): throw OIDCAuthorizationError(rawValue: reason) ?? .unknownClient
            case .redirect(let protocolError, let redirectURI, let state):
                return req.redirect(to: OIDCAuthorizationRequest.redirect(redirectURI, [
                    ("error", protocolError.code), ("error_description", protocolError.description), ("state", state),
                    ("iss", req.application.settings.oidcIssuer)]))
            }
        }
        req.session.data[Self.requestKey] = String(decoding: try JSONEncoder().encode(request), as: UTF8.self)
        return try await proceed(req, request, client: client!)
    }

    /// Where sign-in leads back to: the request kept in the session.
    @Sendable
    func resume(req: Request) async throws -> Response {
        let (request, client) = try await pending(req)
        return try await proceed(req, request, client: client)
    }

    @Sendable
    func signIn(req: Request) async throws -> Response {
        let (request, client) = try await pending(req)
        let form = try req.content.decode(ReaderSessionController.SignInForm.self)
        let identifier = (form.identifier ?? "").trimmingCharacters(in: .whitespaces)
        let password = form.password ?? ""
        var state = FormState(values: ["identifier": identifier])
        if identifier.isEmpty { state.errors["identifier"] = req.t("reader.sign_in.identifier_required") }
        if password.isEmpty { state.errors["password"] = req.t("reader.sign_in.password_required") }
        if state.hasErrors { return try await signInPage(req, client, request, form: state, status: .unprocessableEntity) }
        let signedIn: Patron?
        do {
            signedIn = try await ReaderSessionService(database: req.db, vault: req.application.vault, credentials: req.credentialCheck,
                                                      now: req.now).signIn(identifier: identifier, password: password, ipAddress: req.clientAddress)
        } catch let error as AddressLimitError {
            state.errors["form"] = req.t(error.messageKey, error.messageValues)
            let response = try await signInPage(req, client, request, form: state, status: HTTPErrorMapping.status(for: error))
            for (name, value) in HTTPErrorMapping.headers(for: error) { response.headers.replaceOrAdd(name: name, value: value) }
            return response
        }
        guard let patron = signedIn else {
            state.errors["form"] = req.t("reader.sign_in.failed")
            return try await signInPage(req, client, request, form: state, status: .unauthorized)
        }
        // The same fresh session as the web sign-in, keeping the request being answered.
        let signedInAgain = OIDCAuthorizationRequest(clientID: request.clientID, redirectURI: request.redirectURI, scopes: request.scopes,
                                                     state: request.state, nonce: request.nonce, codeChallenge: request.codeChallenge,
                                                     forcesSignIn: false)
        try await req.rotateSession()
        req.session.data[ReaderSessionController.sessionKey] = patron.id!.uuidString
        req.session.data[Self.requestKey] = String(decoding: try JSONEncoder().encode(signedInAgain), as: UTF8.self)
        req.session.data[Self.authTimeKey] = String(Int(req.now.timeIntervalSince1970))
        if let ask = try await req.askRenewedConsent(of: patron.requireID(), thenTo: SiteURL.oidcContinue.path, channel: "oidc") { return ask }
        return req.redirect(to: SiteURL.oidcContinue.path, redirectType: .normal)
    }

    struct ConsentForm: Content {
        var decision: String?
    }

    @Sendable
    func consent(req: Request) async throws -> Response {
        let (request, client) = try await pending(req)
        let issuer = req.application.settings.oidcIssuer
        guard let patron = try await req.signedInPatron() else { return req.redirect(to: SiteURL.oidcContinue.path, redirectType: .normal) }
        guard try req.content.decode(ConsentForm.self).decision == "allow" else {
            req.session.data[Self.requestKey] = nil
            return req.redirect(to: request.errorRedirect(.accessDenied("the reader did not consent"), issuer: issuer), redirectType: .normal)
        }
        if let refusal = try await refusal(req, request, client: client, patron: patron) { return refusal }
        let document = try await ConsentDocument.current(client.consentCode, at: req.now, on: req.db)
        let now = req.now
        try await req.db.transaction { db in
            try await ConsentRecord(patronID: patron.requireID(), documentID: document.requireID(), givenAt: now, channel: "oidc").create(on: db)
            try await AuditTrail.record("oidc.consent_given", by: AuditActor(type: "reader", id: patron.id!.uuidString, ipAddress: req.clientAddress),
                                        subject: ("patron", patron.id!.uuidString), libraryID: patron.$library.id,
                                        details: ["client": client.clientID, "document": document.code, "version": String(document.version)],
                                        at: now, on: db)
        }
        return try await answer(req, request, client: client, patron: patron)
    }

    /// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0). With an ID token of ours as the hint, the
    /// OneCard session ends and the reader goes back to the client's address, if it is one of its redirect URIs.
    /// Without one, anybody could sign a reader out with a link: the page asks the reader instead.
    @Sendable
    func logout(req: Request) async throws -> Response {
        struct Query: Decodable {
            var id_token_hint: String?
            var client_id: String?
            var post_logout_redirect_uri: String?
            var state: String?
        }
        let query = try req.query.decode(Query.self)
        var clientID: String? = nil
        if let hint = query.id_token_hint {
            let keys = try await req.oidcKeyRing.verifier()
            if let token = try? await keys.verify(hint, as: OIDCIDToken.self), token.iss == req.application.settings.oidcIssuer,
               query.client_id == nil || query.client_id == token.aud {
                clientID = token.aud
            }
        }
        guard let clientID, let client = try await OIDCClient.query(on: req.db).filter(\.$clientID == clientID).first() else {
            return try await req.view.render("oidc/signed-out", ["confirm": true]).encodeResponse(for: req)
        }
        req.session.destroy()
        if let target = query.post_logout_redirect_uri, client.redirectURIs.contains(target) {
            return req.redirect(to: OIDCAuthorizationRequest.redirect(target, [("state", query.state)]))
        }
        return try await req.view.render("oidc/signed-out", ["confirm": false]).encodeResponse(for: req)
    }

    // MARK: Steps

    /// Sign-in, refusal, consent or the code, whichever the request has reached.
    private func proceed(_ req: Request, _ request: OIDCAuthorizationRequest, client: OIDCClient) async throws -> Response {
        guard !request.forcesSignIn, let patron = try await req.signedInPatron() else {
            return try await signInPage(req, client, request, form: FormState(), status: .ok)
        }
        if let refusal = try await refusal(req, request, client: client, patron: patron) { return refusal }
        let document = try await ConsentDocument.current(client.consentCode, at: req.now, on: req.db)
        let given = try await ConsentRecord.query(on: req.db).filter(\.$patron.$id == patron.requireID())
            .filter(\.$document.$id == document.requireID()).filter(\.$withdrawnAt == nil).first()
        guard given != nil else { return try await consentPage(req, client, request, document: document) }
        return try await answer(req, request, client: client, patron: patron)
    }

    /// The code, sent to the client.
    private func answer(_ req: Request, _ request: OIDCAuthorizationRequest, client: OIDCClient, patron: Patron) async throws -> Response {
        let authTime = req.session.data[Self.authTimeKey].flatMap(Double.init).map(Date.init(timeIntervalSince1970:)) ?? req.now
        let code = try await req.oidcGrants.issueCode(request, client: client, patron: patron, authTime: authTime, ipAddress: req.clientAddress)
        req.session.data[Self.requestKey] = nil
        return req.redirect(to: OIDCAuthorizationRequest.redirect(request.redirectURI, [
            ("code", code), ("state", request.state), ("iss", req.application.settings.oidcIssuer)]), redirectType: .normal)
    }

    /// A card that may not use the client now (suspended, expired, another library's): a page that says so,
    /// and a way back that tells the client `access_denied`.
    private func refusal(_ req: Request, _ request: OIDCAuthorizationRequest, client: OIDCClient, patron: Patron) async throws -> Response? {
        let reason: String
        switch patron.standing(at: req.now) {
        case .good?:
            guard !client.admits(cardKind: patron.cardKind, libraryCode: patron.library.code) else { return nil }
            reason = "library"
        case .suspended?: reason = "suspended"
        case .expired?, nil: reason = "expired"
        }
        req.session.data[Self.requestKey] = nil
        try await AuditTrail.record("oidc.refused", by: AuditActor(type: "reader", id: patron.id!.uuidString, ipAddress: req.clientAddress),
                                    subject: ("patron", patron.id!.uuidString), libraryID: patron.$library.id,
                                    details: ["client": client.clientID, "reason": reason], at: req.now, on: req.db)
        let page = OIDCRefusalPage(
            clientName: client.name, message: req.t("oidc.refused.\(reason)", ["client": client.name]),
            returnURL: request.errorRedirect(.accessDenied("this card may not use the service"), issuer: req.application.settings.oidcIssuer))
        return try await req.view.render("oidc/refused", page).encodeResponse(status: .forbidden, for: req)
    }

    private func signInPage(_ req: Request, _ client: OIDCClient, _ request: OIDCAuthorizationRequest, form: FormState,
                            status: HTTPResponseStatus) async throws -> Response {
        let page = OIDCConsentPage(clientName: client.name, homePage: client.homePage, form: form)
        return try await withFormAction(to: request.redirectURI,
                                        req.view.render("oidc/sign-in", page).encodeResponse(status: status, for: req))
    }

    private func consentPage(_ req: Request, _ client: OIDCClient, _ request: OIDCAuthorizationRequest,
                             document: ConsentDocument) async throws -> Response {
        let claims = OIDCScope.parse(request.scopes.joined(separator: " ")).filter { $0 != .openid }.map { req.t($0.messageKey) }
        let page = OIDCConsentPage(clientName: client.name, homePage: client.homePage, claims: claims,
                                   documentTitle: document.title(in: req.locale),
                                   paragraphs: document.body(in: req.locale).components(separatedBy: "\n").filter { !$0.isEmpty },
                                   version: document.version)
        return try await withFormAction(to: request.redirectURI, req.view.render("oidc/consent", page).encodeResponse(for: req))
    }

    /// Browsers hold the redirects after a form to its `form-action`: these pages' forms end at the client.
    private func withFormAction(to redirectURI: String, _ response: Response) -> Response {
        if let url = URLComponents(string: redirectURI), let scheme = url.scheme, let host = url.host {
            let origin = "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
            response.headers.replaceOrAdd(name: "Content-Security-Policy",
                                          value: SecurityHeadersMiddleware(sendsHSTS: false, formActionOrigins: { [origin] }).contentSecurityPolicy())
        }
        return response
    }

    private func pending(_ req: Request) async throws -> (OIDCAuthorizationRequest, OIDCClient) {
        guard req.hasSession, let text = req.session.data[Self.requestKey],
              let request = try? JSONDecoder().decode(OIDCAuthorizationRequest.self, from: Data(text.utf8)),
              let client = try await OIDCClient.query(on: req.db).filter(\.$clientID == request.clientID).first(), client.disabledAt == nil
        else { throw OIDCAuthorizationError.noPendingRequest }
        return (request, client)
    }
}
