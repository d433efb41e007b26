import Fluent
import Foundation
import Vapor

/// Linking a card with 台北通 and signing in with it: the OpenID Connect authorization code flow with
/// PKCE. Starting stores a `PendingAuthorization` in the session and returns the provider's URL; the
/// callback takes it back out (so a callback works once), exchanges the code and validates the ID token,
/// then links the `sub` (with the consent record and the partner link, in one transaction) or signs
/// the linked reader in.
struct TaipeiPassService {
    let request: Request
    let settings: TaipeiPassSettings
    let provider: OpenIDProvider

    /// Nil when 台北通 is not configured.
    init?(_ request: Request) {
        guard let settings = request.application.settings.taipeiPass, let provider = request.application.taipeiPassProvider else {
            return nil
        }
        self.request = request
        self.settings = settings
        self.provider = provider
    }

    var redirectURI: String { request.application.settings.taipeiPassRedirectURI }

    enum Outcome: Equatable {
        case linked
        case signedIn
        case failed(TaipeiPassFailure, PendingAuthorization.Purpose?)
    }

    struct Callback: Decodable {
        var code: String?
        var state: String?
        var error: String?
    }

    // MARK: Starting

    /// The provider's authorization URL for linking `patron`, who has agreed to `document`.
    func beginLink(for patron: Patron, agreedTo document: ConsentDocument) async throws -> String {
        try await begin(.start(.link, patronID: try patron.requireID(), consentDocumentID: try document.requireID(), now: request.now))
    }

    func beginSignIn() async throws -> String {
        try await begin(.start(.signIn, now: request.now))
    }

    private func begin(_ pending: PendingAuthorization) async throws -> String {
        let metadata: OpenIDProviderMetadata
        do {
            metadata = try await provider.metadata(client: request.client, now: request.now)
        } catch {
            request.logger.warning("Taipei Pass provider unusable", metadata: ["problem": .string(String(describing: error))])
            throw TaipeiPassFailure.unavailable
        }
        let url = try pending.authorizationURL(endpoint: metadata.authorizationEndpoint, clientID: settings.clientID,
                                               redirectURI: redirectURI, locale: request.locale)
        // One flow per session: starting again replaces an unfinished one. Sealed, so the code verifier and
        // nonce are readable neither in the sessions table nor in a debug log of its SQL.
        let json = String(decoding: try JSONEncoder().encode(pending), as: UTF8.self)
        request.session.data[PendingAuthorization.sessionKey] = try request.application.vault.seal(json, context: Self.sessionContext)
        return url
    }

    // MARK: The callback

    func complete(_ callback: Callback) async throws -> Outcome {
        guard let pending = takePending() else {
            refuse("no authorization request in this session")
            return .failed(.expiredRequest, nil)
        }
        // An error answer changes nothing, so it is believed even when a provider leaves out the state
        // (RFC 6749 asks for it; not every provider sends it with `access_denied`). A wrong state is not.
        if let error = callback.error, callback.state.map({ CSRFMiddleware.constantTimeEqual($0, pending.state) }) ?? true {
            refuse("provider answered \(error.prefix(64))", purpose: pending.purpose)
            return .failed(error == "access_denied" ? .cancelled : .providerError, pending.purpose)
        }
        guard let state = callback.state, CSRFMiddleware.constantTimeEqual(state, pending.state) else {
            refuse("state does not match", purpose: pending.purpose)
            return .failed(.expiredRequest, pending.purpose)
        }
        guard !pending.isExpired(at: request.now) else {
            refuse("authorization request expired", purpose: pending.purpose)
            return .failed(.expiredRequest, pending.purpose)
        }
        guard let code = callback.code, !code.isEmpty else {
            refuse("callback without a code", purpose: pending.purpose)
            return .failed(.providerError, pending.purpose)
        }

        let claims: IDTokenClaims
        do {
            let metadata = try await provider.metadata(client: request.client, now: request.now)
            let idToken = try await OpenIDTokenEndpoint.exchange(code: code, codeVerifier: pending.codeVerifier, redirectURI: redirectURI,
                                                                 metadata: metadata, settings: settings, client: request.client)
            let (provider, client, now) = (provider, request.client, request.now)
            claims = try await IDTokenVerifier(issuer: settings.issuer, clientID: settings.clientID)
                .verify(idToken, nonce: pending.nonce, now: now) { keyID, algorithm in
                    try await provider.signingKey(keyID: keyID, algorithm: algorithm, client: client, now: now)
                }
        } catch let rejection as IDTokenRejection {
            refuse("ID token refused: \(rejection.rawValue)", purpose: pending.purpose)
            return .failed(.invalidToken, pending.purpose)
        } catch {
            refuse("token exchange failed: \(error)", purpose: pending.purpose)
            return .failed(.tokenFailed, pending.purpose)
        }

        switch pending.purpose {
        case .link: return try await link(claims, pending)
        case .signIn: return try await signIn(claims)
        }
    }

    private func takePending() -> PendingAuthorization? {
        guard request.hasSession, let raw = request.session.data[PendingAuthorization.sessionKey] else { return nil }
        request.session.data[PendingAuthorization.sessionKey] = nil
        guard let json = try? request.application.vault.open(raw, context: Self.sessionContext) else { return nil }
        return try? JSONDecoder().decode(PendingAuthorization.self, from: Data(json.utf8))
    }

    static let sessionContext = "session.taipei_pass_authorization"

    private func refuse(_ problem: String, purpose: PendingAuthorization.Purpose? = nil) {
        request.logger.notice("Taipei Pass callback refused", metadata: [
            "problem": .string(problem), "purpose": .string(purpose?.rawValue ?? "unknown"),
        ])
    }

    private func link(_ claims: IDTokenClaims, _ pending: PendingAuthorization) async throws -> Outcome {
        // The reader who agreed must still be the one signed in on this session.
        guard let patron = try await request.signedInPatron(), patron.id == pending.patronID, let documentID = pending.consentDocumentID,
              let document = try await ConsentDocument.find(documentID, on: request.db)
        else {
            refuse("the reader who started linking is no longer signed in", purpose: .link)
            return .failed(.expiredRequest, .link)
        }
        let links = PartnerLinkService(database: request.db, now: request.now)
        do {
            let service = try await links.service(code: PartnerLinkService.taipeiPassCode, for: patron)
            try await links.linkCityAccount(service, for: patron, agreedTo: document, issuer: claims.iss, subject: claims.sub,
                                            ipAddress: request.clientAddress)
        } catch PartnerServiceError.cityAccountLinkedElsewhere {
            try await AuditTrail.record("partner_link.refused", by: AuditActor(type: "reader", id: patron.id?.uuidString, ipAddress: request.clientAddress),
                                        subject: ("patron", patron.id!.uuidString), libraryID: patron.$library.id,
                                        details: ["partner": PartnerLinkService.taipeiPassCode, "reason": TaipeiPassFailure.linkedElsewhere.rawValue],
                                        at: request.now, on: request.db)
            return .failed(.linkedElsewhere, .link)
        }
        return .linked
    }

    private func signIn(_ claims: IDTokenClaims) async throws -> Outcome {
        guard let identity = try await TaipeiPassIdentity.query(on: request.db).filter(\.$issuer == claims.iss)
            .filter(\.$subject == claims.sub).with(\.$patron).first(),
            identity.patron.status == .active
        else {
            refuse("no card is linked with this Taipei Pass account", purpose: .signIn)
            return .failed(.notLinked, .signIn)
        }
        let patron = identity.patron
        let now = request.now
        let reader = AuditActor(type: "reader", id: patron.id!.uuidString, ipAddress: request.clientAddress)
        try await request.db.transaction { db in
            identity.lastSignedInAt = now
            try await identity.save(on: db)
            try await AuditTrail.record("reader.signed_in", by: reader, subject: ("patron", patron.id!.uuidString),
                                        libraryID: patron.$library.id, details: ["method": "taipei_pass"], at: now, on: db)
        }
        try await request.rotateSession()
        request.session.data[ReaderSessionController.sessionKey] = patron.id!.uuidString
        return .signedIn
    }
}
