import Fluent
import Foundation
import PersonalDataVault
import Vapor

/// Linking a card with 台北通 and signing in with it: the OpenID Connect authorization code flow with
/// PKCE. Starting returns the provider's URL and the sealed `PendingAuthorization` the session keeps;
/// the callback is handed it back (taken out of the session, so a callback works once), exchanges the
/// code and validates the ID token, then links the `sub` (with the consent record and the partner link,
/// in one transaction) or records the linked reader's sign-in, for the caller to start their session.
struct TaipeiPassService {
    let settings: TaipeiPassSettings
    let provider: OpenIDProvider
    /// `ONECARD_BASE_URL` + the callback path: the one address registered with the provider.
    let redirectURI: String
    let database: any Database
    /// Seals the unfinished authorization kept in the session.
    let vault: PersonalDataVault
    /// Reaches the provider (discovery, keys, token endpoint).
    let client: any Client
    let logger: Logger
    /// Read at each step, as the flow waits for the provider in between.
    let clock: OneCardClock

    private var now: Date { clock.now() }

    /// Nil when 台北通 is not configured.
    init?(settings: TaipeiPassSettings?, provider: OpenIDProvider?, redirectURI: String, database: any Database,
          vault: PersonalDataVault, client: any Client, logger: Logger, clock: OneCardClock) {
        guard let settings, let provider else { return nil }
        self.settings = settings
        self.provider = provider
        self.redirectURI = redirectURI
        self.database = database
        self.vault = vault
        self.client = client
        self.logger = logger
        self.clock = clock
    }

    /// Where the browser goes next, and what the session keeps until the callback
    /// (under `PendingAuthorization.sessionKey`): the pending authorization, sealed.
    struct Started {
        let url: String
        let sealedPending: String
    }

    enum Outcome: Equatable {
        case linked
        /// The caller signs the reader in: a new session holding this patron.
        case signedIn(patronID: UUID)
        case failed(TaipeiPassFailure, PendingAuthorization.Purpose?)
    }

    struct Callback: Decodable {
        var code: String?
        var state: String?
        var error: String?
    }

    // MARK: Starting

    /// The provider's authorization URL for linking `patron`, who has agreed to `document`.
    func beginLink(for patron: Patron, agreedTo document: ConsentDocument, locale: SiteLocale) async throws -> Started {
        try await begin(.start(.link, patronID: try patron.requireID(), consentDocumentID: try document.requireID(), now: now),
                        locale: locale)
    }

    func beginSignIn(locale: SiteLocale) async throws -> Started {
        try await begin(.start(.signIn, now: now), locale: locale)
    }

    private func begin(_ pending: PendingAuthorization, locale: SiteLocale) async throws -> Started {
        let metadata: OpenIDProviderMetadata
        do {
            metadata = try await provider.metadata(client: client, now: now)
        } catch {
            logger.warning("Taipei Pass provider unusable", metadata: ["problem": .string(String(describing: error))])
            throw TaipeiPassFailure.unavailable
        }
        let url = try pending.authorizationURL(endpoint: metadata.authorizationEndpoint, clientID: settings.clientID,
                                               redirectURI: redirectURI, locale: locale)
        // One flow per session: starting again replaces an unfinished one. Sealed, so the code verifier and
        // nonce are readable neither in the sessions table nor in a debug log of its SQL.
        let json = String(decoding: try JSONEncoder().encode(pending), as: UTF8.self)
        return Started(url: url, sealedPending: try vault.seal(json, context: Self.sessionContext))
    }

    // MARK: The callback

    /// `sealedPending` is what `begin` left in the session, already taken out of it (so a callback works
    /// once); `signedInPatron` is asked only when linking, whose reader must still be signed in.
    func complete(_ callback: Callback, sealedPending: String?, signedInPatron: () async throws -> Patron?,
                  ipAddress: String?) async throws -> Outcome {
        guard let pending = open(sealedPending) else {
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
        guard !pending.isExpired(at: now) else {
            refuse("authorization request expired", purpose: pending.purpose)
            return .failed(.expiredRequest, pending.purpose)
        }
        guard let code = callback.code, !code.isEmpty else {
            refuse("callback without a code", purpose: pending.purpose)
            return .failed(.providerError, pending.purpose)
        }

        let claims: IDTokenClaims
        do {
            let metadata = try await provider.metadata(client: client, now: now)
            let idToken = try await OpenIDTokenEndpoint.exchange(code: code, codeVerifier: pending.codeVerifier, redirectURI: redirectURI,
                                                                 metadata: metadata, settings: settings, client: client)
            let (provider, client, now) = (provider, client, now)
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
        case .link: return try await link(claims, pending, signedInPatron: signedInPatron, ipAddress: ipAddress)
        case .signIn: return try await signIn(claims, ipAddress: ipAddress)
        }
    }

    private func open(_ sealed: String?) -> PendingAuthorization? {
        guard let sealed, let json = try? vault.open(sealed, context: Self.sessionContext) else { return nil }
        return try? JSONDecoder().decode(PendingAuthorization.self, from: Data(json.utf8))
    }

    static let sessionContext = "session.taipei_pass_authorization"

    private func refuse(_ problem: String, purpose: PendingAuthorization.Purpose? = nil) {
        logger.notice("Taipei Pass callback refused", metadata: [
            "problem": .string(problem), "purpose": .string(purpose?.rawValue ?? "unknown"),
        ])
    }

    private func link(_ claims: IDTokenClaims, _ pending: PendingAuthorization, signedInPatron: () async throws -> Patron?,
                      ipAddress: String?) async throws -> Outcome {
        // The reader who agreed must still be the one signed in on this session.
        guard let patron = try await signedInPatron(), patron.id == pending.patronID, let documentID = pending.consentDocumentID,
              let document = try await ConsentDocument.find(documentID, on: database)
        else {
            refuse("the reader who started linking is no longer signed in", purpose: .link)
            return .failed(.expiredRequest, .link)
        }
        let links = PartnerLinkService(database: database, now: now)
        do {
            let service = try await links.service(code: PartnerLinkService.taipeiPassCode, for: patron)
            try await links.linkCityAccount(service, for: patron, agreedTo: document, issuer: claims.iss, subject: claims.sub,
                                            ipAddress: ipAddress)
        } catch PartnerServiceError.cityAccountLinkedElsewhere {
            try await AuditTrail.record("partner_link.refused", by: AuditActor(type: "reader", id: patron.id?.uuidString, ipAddress: ipAddress),
                                        subject: ("patron", patron.id!.uuidString), libraryID: patron.$library.id,
                                        details: ["partner": PartnerLinkService.taipeiPassCode, "reason": TaipeiPassFailure.linkedElsewhere.rawValue],
                                        at: now, on: database)
            return .failed(.linkedElsewhere, .link)
        }
        return .linked
    }

    /// Records the sign-in; the caller then starts the reader's new session.
    private func signIn(_ claims: IDTokenClaims, ipAddress: String?) async throws -> Outcome {
        guard let identity = try await TaipeiPassIdentity.query(on: database).filter(\.$issuer == claims.iss)
            .filter(\.$subject == claims.sub).with(\.$patron).first(),
            identity.patron.status == .active
        else {
            refuse("no card is linked with this Taipei Pass account", purpose: .signIn)
            return .failed(.notLinked, .signIn)
        }
        let patron = identity.patron
        let now = self.now
        let reader = AuditActor(type: "reader", id: patron.id!.uuidString, ipAddress: ipAddress)
        try await database.transaction { db in
            identity.lastSignedInAt = now
            try await identity.save(on: db)
            try await AuditTrail.record("reader.signed_in", by: reader, subject: ("patron", patron.id!.uuidString),
                                        libraryID: patron.$library.id, details: ["method": "taipei_pass"], at: now, on: db)
        }
        return .signedIn(patronID: try patron.requireID())
    }
}
