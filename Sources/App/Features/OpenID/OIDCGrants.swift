import Crypto
import Fluent
import Foundation
import JWTKit
import PersonalDataVault
import SQLKit

/// Codes and tokens of the OpenID Connect provider: issued, exchanged, refreshed, revoked, introspected.
///
/// A code lives 60 s and works once; a second use revokes every token issued from it. Access tokens live
/// 10 minutes. Refresh tokens rotate: each works once, and a second use (someone holds a copy) revokes the
/// whole family. Every issuance is audited. Codes and tokens are stored as their SHA-256 only.
struct OIDCGrants {
    static let codeLifetime: TimeInterval = 60
    static let accessTokenLifetime: TimeInterval = 600
    static let refreshTokenLifetime: TimeInterval = 30 * 86_400

    let database: any Database
    let vault: PersonalDataVault
    let keys: OIDCKeyRing
    /// Writes issuances together with the others of the moment (group commit).
    let issuance: OIDCIssuanceQueue
    /// `iss` of ID tokens: the site's base URL.
    let issuer: String
    let now: Date

    private var store: OIDCTokenStore { OIDCTokenStore(database: database, now: now) }

    // MARK: Clients

    /// The client of a token request: by its secret (basic or post) when confidential; a public client
    /// sends its `client_id` only and proves itself with PKCE. The secret is 256 random bits, so its
    /// SHA-256 is compared, in constant time; a password hash would only slow every request down.
    func authenticate(clientID: String?, secret: String?) async throws -> OIDCTokenStore.Client {
        guard let clientID, !clientID.isEmpty, let client = try await store.client(clientID), client.disabledAt == nil
        else { throw OIDCProtocolError.invalidClient() }
        switch (client.secretHash, secret) {
        case (nil, nil): return client
        case (let expected?, let given?) where CSRFMiddleware.constantTimeEqual(expected, OneTimeToken.hash(given)): return client
        default: throw OIDCProtocolError.invalidClient()
        }
    }

    // MARK: Codes

    /// A new code for `request`, signed in at `authTime`.
    func issueCode(_ request: OIDCAuthorizationRequest, client: OIDCClient, patron: Patron, authTime: Date,
                   ipAddress: String?) async throws -> String {
        let (code, hash) = OneTimeToken.make()
        let row = OIDCAuthorizationCode()
        row.codeHash = hash
        row.$client.id = try client.requireID()
        row.$patron.id = try patron.requireID()
        row.redirectURI = request.redirectURI
        row.scopesText = request.scopes.joined(separator: " ")
        row.nonce = request.nonce
        row.codeChallenge = request.codeChallenge
        row.authTime = authTime
        row.expiresAt = now.addingTimeInterval(Self.codeLifetime)
        try await database.transaction { db in
            try await row.create(on: db)
            try await AuditTrail.record("oidc.code_issued", by: AuditActor(type: "reader", id: patron.id!.uuidString, ipAddress: ipAddress),
                                        subject: ("patron", patron.id!.uuidString), libraryID: patron.$library.id,
                                        details: ["client": client.clientID, "scope": row.scopesText], at: now, on: db)
        }
        return code
    }

    /// The token endpoint's `authorization_code` grant.
    func exchange(code: String?, client: OIDCTokenStore.Client, redirectURI: String?, verifier: String?) async throws -> OIDCTokenResponse {
        guard let code, !code.isEmpty else { throw OIDCProtocolError.invalidRequest("code is missing") }
        guard let row = try await store.code(hash: OneTimeToken.hash(code)), row.clientRowID == client.id
        else { throw OIDCProtocolError.invalidGrant("unknown code") }
        guard row.usedAt == nil else {
            try await revokeGrant(row.id, client: client, patronID: row.patronID, reason: "oidc.code_replayed")
            throw OIDCProtocolError.invalidGrant("code already used; the tokens it issued are revoked")
        }
        guard row.expiresAt > now else { throw OIDCProtocolError.invalidGrant("code expired") }
        guard redirectURI == row.redirectURI else { throw OIDCProtocolError.invalidGrant("redirect_uri differs from the authorization request") }
        if let challenge = row.codeChallenge {
            guard let verifier, Self.s256(verifier) == challenge else { throw OIDCProtocolError.invalidGrant("PKCE verification failed") }
        } else if !client.isConfidential {
            throw OIDCProtocolError.invalidGrant("PKCE is required")
        }
        // Two requests with one code: the row is claimed once, in the database, in the transaction that writes
        // the tokens (one commit per exchange); the loser is a replay.
        guard let (access, refresh) = try await issue(claiming: OIDCAuthorizationCode.schema, id: row.id, client: client,
                                                      patronID: row.patronID, grantID: row.id, scopes: row.scopes, auditAction: "oidc.tokens_issued")
        else {
            try await revokeGrant(row.id, client: client, patronID: row.patronID, reason: "oidc.code_replayed")
            throw OIDCProtocolError.invalidGrant("code already used; the tokens it issued are revoked")
        }
        let idToken = OIDCIDToken(
            iss: issuer, sub: OIDCUserInfo.pairwiseSubject(patron: row.patronID, clientID: client.clientID, vault: vault),
            aud: client.clientID, azp: client.clientID, exp: Int(now.addingTimeInterval(keys.tokenLifetime).timeIntervalSince1970),
            iat: Int(now.timeIntervalSince1970), authTime: Int(row.authTime.timeIntervalSince1970), nonce: row.nonce,
            atHash: Self.leftHalfHash(access))
        return OIDCTokenResponse(accessToken: access, expiresIn: Int(Self.accessTokenLifetime), refreshToken: refresh,
                                 scope: row.scopes, idToken: try await keys.sign(idToken, algorithm: client.idTokenAlgorithm))
    }

    // MARK: Refresh

    /// The token endpoint's `refresh_token` grant: a new access token and a new refresh token; the old
    /// refresh token is spent. A spent one presented again revokes the family.
    func refresh(token: String?, client: OIDCTokenStore.Client) async throws -> OIDCTokenResponse {
        guard let token, !token.isEmpty else { throw OIDCProtocolError.invalidRequest("refresh_token is missing") }
        guard let row = try await store.token(hash: OneTimeToken.hash(token)), row.isRefresh, row.clientRowID == client.id
        else { throw OIDCProtocolError.invalidGrant("unknown refresh token") }
        if row.usedAt != nil {
            try await revokeGrant(row.grantID, client: client, patronID: row.patronID, reason: "oidc.refresh_reused")
            throw OIDCProtocolError.invalidGrant("refresh token already used; its family is revoked")
        }
        guard row.isLive(at: now) else { throw OIDCProtocolError.invalidGrant("refresh token is not active") }
        guard row.cardIsInGoodStanding(at: now) else { throw OIDCProtocolError.invalidGrant("the card may not be used now") }
        guard row.consented != 0 else { throw OIDCProtocolError.invalidGrant("the reader has withdrawn the consent") }
        guard let (access, refresh) = try await issue(claiming: OIDCToken.schema, id: row.id, client: client,
                                                      patronID: row.patronID, grantID: row.grantID, scopes: row.scopes,
                                                      auditAction: "oidc.tokens_refreshed")
        else {
            try await revokeGrant(row.grantID, client: client, patronID: row.patronID, reason: "oidc.refresh_reused")
            throw OIDCProtocolError.invalidGrant("refresh token already used; its family is revoked")
        }
        return OIDCTokenResponse(accessToken: access, expiresIn: Int(Self.accessTokenLifetime), refreshToken: refresh,
                                 scope: row.scopes, idToken: nil)
    }

    // MARK: Revocation, introspection, userinfo

    /// RFC 7009: a refresh token takes its family with it; an access token goes alone. A token that is
    /// unknown or another client's is left alone, and the answer is the same.
    func revoke(token: String?, client: OIDCTokenStore.Client) async throws {
        guard let token, !token.isEmpty else { throw OIDCProtocolError.invalidRequest("token is missing") }
        guard let row = try await store.token(hash: OneTimeToken.hash(token)), row.clientRowID == client.id, row.revokedAt == nil
        else { return }
        if row.isRefresh {
            try await revokeGrant(row.grantID, client: client, patronID: row.patronID, reason: "oidc.token_revoked")
        } else {
            try await database.transaction { db in
                try await OIDCToken.query(on: db).filter(\.$id == row.id).set(\.$revokedAt, to: now).update()
                try await AuditTrail.record("oidc.token_revoked", by: AuditActor(type: "oidc_client", id: client.clientID, ipAddress: nil),
                                            subject: ("patron", row.patronID.uuidString), details: ["kind": "access"], at: now, on: db)
            }
        }
    }

    /// RFC 7662: to the client that holds the token, or to a client registered to introspect any token (a
    /// resource server). Active only while the token is in force (`OIDCTokenStore.Token.isInForce`).
    func introspect(token: String?, client: OIDCTokenStore.Client) async throws -> OIDCIntrospection {
        guard let token, !token.isEmpty else { throw OIDCProtocolError.invalidRequest("token is missing") }
        guard let row = try await store.token(hash: OneTimeToken.hash(token)),
              row.clientRowID == client.id || client.introspectsAnyToken, row.isInForce(at: now)
        else { return OIDCIntrospection(active: false) }
        return OIDCIntrospection(
            active: true, scope: row.scopes, clientID: row.clientID,
            sub: OIDCUserInfo.pairwiseSubject(patron: row.patronID, clientID: row.clientID, vault: vault),
            tokenType: row.isRefresh ? "refresh_token" : "Bearer", exp: Int(row.expiresAt.timeIntervalSince1970),
            iat: Int(row.issuedAt.timeIntervalSince1970), iss: issuer, aud: row.clientID)
    }

    /// The reader's claims for an active access token, by its scopes. The `card` claim tells a suspended or
    /// expired card's standing, so the card's standing does not end the token here; the client, the consent
    /// and the reader's erasure do.
    func userInfo(accessToken: String?) async throws -> OIDCUserInfo {
        guard let accessToken, let row = try await store.token(hash: OneTimeToken.hash(accessToken)), !row.isRefresh,
              row.isLive(at: now), row.clientDisabledAt == nil, row.consented != 0,
              let patron = try await Patron.query(on: database).filter(\.$id == row.patronID).with(\.$library).first(),
              patron.status == .active
        else { throw OIDCProtocolError.invalidToken() }
        return try OIDCUserInfo(patron: patron, clientID: row.clientID, scopes: row.scopes.split(separator: " ").map(String.init),
                                vault: vault, now: now)
    }

    /// Every token a reader's consent to a client gave: ended when the consent is withdrawn.
    static func revokeAll(patronID: UUID, consentCode: String, at now: Date, on db: any Database) async throws {
        guard let client = try await OIDCClient.query(on: db).filter(\.$consentCode == consentCode).first() else { return }
        try await OIDCToken.query(on: db).filter(\.$client.$id == client.requireID()).filter(\.$patron.$id == patronID)
            .filter(\.$revokedAt == nil).set(\.$revokedAt, to: now).update()
    }

    // MARK: Parts

    /// Spends the code or refresh token (`table`, `id`) and writes the new access and refresh tokens and the
    /// audit entry, committed before this returns; nil, and nothing written, when it had been spent.
    private func issue(claiming table: String, id: UUID, client: OIDCTokenStore.Client, patronID: UUID, grantID: UUID, scopes: String,
                       auditAction: String) async throws -> (access: String, refresh: String)? {
        let access = OneTimeToken.make(), refresh = OneTimeToken.make()
        let won = try await issuance.issue(.init(claiming: table, claimID: id, client: client, patronID: patronID, grantID: grantID,
                                                 scopes: scopes, auditAction: auditAction, accessHash: access.hash, refreshHash: refresh.hash, now: now),
                                           on: database)
        return won ? (access.token, refresh.token) : nil
    }

    /// Revokes every token of a grant (a replayed code, a reused refresh token, a revoked refresh token).
    private func revokeGrant(_ grantID: UUID, client: OIDCTokenStore.Client, patronID: UUID, reason: String) async throws {
        try await database.transaction { db in
            try await OIDCToken.query(on: db).filter(\.$grantID == grantID).filter(\.$revokedAt == nil).set(\.$revokedAt, to: now).update()
            try await AuditTrail.record(reason, by: AuditActor(type: "oidc_client", id: client.clientID, ipAddress: nil),
                                        subject: ("patron", patronID.uuidString), details: ["grant": grantID.uuidString], at: now, on: db)
        }
    }

    static func s256(_ verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64URLEncodedString()
    }

    static func leftHalfHash(_ token: String) -> String {
        Data(SHA256.hash(data: Data(token.utf8)).prefix(16)).base64URLEncodedString()
    }
}
