import Vapor

/// The endpoints relying parties call: discovery, keys, token, userinfo, revocation and introspection.
/// Servers call them with their own credentials, so the POST routes are exempt from the browser's CSRF
/// check; each declares its body limit.
struct OIDCProviderController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.oidcDiscovery, use: discovery)
        routes.get(.oidcJWKS, use: jwks)
        routes.post(.oidcToken, maximumBytes: .form, use: token).userInfo[CSRFMiddleware.exemptionKey] = true
        routes.get(.oidcUserInfo, use: userInfo)
        routes.post(.oidcUserInfo, maximumBytes: .form, use: userInfo).userInfo[CSRFMiddleware.exemptionKey] = true
        routes.post(.oidcRevoke, maximumBytes: .form, use: revoke).userInfo[CSRFMiddleware.exemptionKey] = true
        routes.post(.oidcIntrospect, maximumBytes: .form, use: introspect).userInfo[CSRFMiddleware.exemptionKey] = true
    }

    struct TokenForm: Content {
        var grant_type: String?
        var code: String?
        var redirect_uri: String?
        var code_verifier: String?
        var refresh_token: String?
        var token: String?
        var client_id: String?
        var client_secret: String?
    }

    @Sendable
    func discovery(req: Request) async throws -> Response {
        let issuer = req.application.settings.oidcIssuer
        return try json(OIDCDiscoveryDocument(issuer: issuer), cache: "public, max-age=3600")
    }

    @Sendable
    func jwks(req: Request) async throws -> Response {
        // Short: a rotated key must reach relying parties well before the old one's tokens run out.
        try json(try await req.oidcKeyRing.jwks(), cache: "public, max-age=300")
    }

    @Sendable
    func token(req: Request) async throws -> Response {
        do {
            let form = try decodeForm(req)
            let client = try await authenticate(req, form)
            let grants = req.oidcGrants
            let answer: OIDCTokenResponse = switch form.grant_type {
            case "authorization_code":
                try await grants.exchange(code: form.code, client: client, redirectURI: form.redirect_uri, verifier: form.code_verifier)
            case "refresh_token":
                try await grants.refresh(token: form.refresh_token, client: client)
            default:
                throw OIDCProtocolError.unsupportedGrantType()
            }
            return try json(answer, cache: "no-store")
        } catch let error as OIDCProtocolError {
            return try refusal(error)
        }
    }

    @Sendable
    func userInfo(req: Request) async throws -> Response {
        do {
            var token = req.headers.bearerAuthorization?.token
            if token == nil, req.method == .POST { token = try? req.content.get(String.self, at: "access_token") }
            return try json(try await req.oidcGrants.userInfo(accessToken: token), cache: "no-store")
        } catch let error as OIDCProtocolError {
            return try refusal(error)
        }
    }

    @Sendable
    func revoke(req: Request) async throws -> Response {
        do {
            let form = try decodeForm(req)
            try await req.oidcGrants.revoke(token: form.token, client: try await authenticate(req, form))
            return Response(status: .ok, headers: ["Cache-Control": "no-store"])
        } catch let error as OIDCProtocolError {
            return try refusal(error)
        }
    }

    @Sendable
    func introspect(req: Request) async throws -> Response {
        do {
            let form = try decodeForm(req)
            let client = try await authenticate(req, form)
            // Resource servers of a public client have no secret to show: introspection is for confidential clients.
            guard client.isConfidential else { throw OIDCProtocolError.invalidClient("introspection needs a confidential client") }
            return try json(try await req.oidcGrants.introspect(token: form.token, client: client), cache: "no-store")
        } catch let error as OIDCProtocolError {
            return try refusal(error)
        }
    }

    private func decodeForm(_ req: Request) throws -> TokenForm {
        guard req.headers.contentType == .urlEncodedForm, let form = try? req.content.decode(TokenForm.self) else {
            throw OIDCProtocolError.invalidRequest("send application/x-www-form-urlencoded")
        }
        return form
    }

    /// `client_secret_basic` (RFC 6749 §2.3.1: both parts form-encoded before Base64) or `client_secret_post`,
    /// never both; a public client sends `client_id` alone.
    private func authenticate(_ req: Request, _ form: TokenForm) async throws -> OIDCTokenStore.Client {
        if let basic = req.headers.basicAuthorization {
            guard form.client_secret == nil else { throw OIDCProtocolError.invalidRequest("use one client authentication method") }
            let id = basic.username.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? basic.username
            let secret = basic.password.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? basic.password
            guard form.client_id == nil || form.client_id == id else { throw OIDCProtocolError.invalidClient() }
            return try await req.oidcGrants.authenticate(clientID: id, secret: secret)
        }
        return try await req.oidcGrants.authenticate(clientID: form.client_id, secret: form.client_secret)
    }

    private func json(_ value: some Encodable, cache: String) throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.replaceOrAdd(name: .cacheControl, value: cache)
        return Response(status: .ok, headers: headers, body: .init(data: try JSONEncoder.sorted.encode(value)))
    }

    /// The protocol's error body; the status and header come from `HTTPErrorMapping`.
    private func refusal(_ error: OIDCProtocolError) throws -> Response {
        var headers = HTTPErrorMapping.headers(for: error)
        headers.contentType = .json
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        let body = ["error": error.code, "error_description": error.description]
        return Response(status: HTTPErrorMapping.status(for: error), headers: headers, body: .init(data: try JSONEncoder.sorted.encode(body)))
    }
}
