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
    /// `iss` of ID tokens: the site's base URL.
    let issuer: String
    let now: Date

    // MARK: Clients

    /// The client of a token request: by its secret (basic or post) when confidential; a public client
    /// sends its `client_id` only and proves itself with PKCE.
    func authenticate(clientID: String?, secret: String?) async throws -> OIDCClient {
        guard let clientID, !clientID.isEmpty,
              let client = try await OIDCClient.query(on: database).filter(\.$clientID == clientID).first(),
              client.disabledAt == nil
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
    func exchange(code: String?, client: OIDCClient, redirectURI: String?, verifier: String?) async throws -> OIDCTokenResponse {
        guard let code, !code.isEmpty else { throw OIDCProtocolError.invalidRequest("code is missing") }
        guard let row = try await OIDCAuthorizationCode.query(on: database).filter(\.$codeHash == OneTimeToken.hash(code)).first(),
              row.$client.id == client.id
        else { throw OIDCProtocolError.invalidGrant("unknown code") }
        guard row.usedAt == nil else {
            try await revokeGrant(try row.requireID(), client: client, patronID: row.$patron.id, reason: "oidc.code_replayed")
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
        let patronID = row.$patron.id
        guard let issued = try await issueTokens(claiming: OIDCAuthorizationCode.schema, id: row.requireID(), client: client,
                                                            patronID: patronID, grantID: row.requireID(), scopes: row.scopesText,
                                                            action: "oidc.tokens_issued")
        else {
            try await revokeGrant(try row.requireID(), client: client, patronID: patronID, reason: "oidc.code_replayed")
            throw OIDCProtocolError.invalidGrant("code already used; the tokens it issued are revoked")
        }
        let (access, refresh) = issued
        let (kid, key) = try await keys.signingKey()
        let idToken = OIDCIDToken(
            iss: issuer, sub: OIDCUserInfo.pairwiseSubject(patron: patronID, clientID: client.clientID, vault: vault),
            aud: client.clientID, azp: client.clientID, exp: Int(now.addingTimeInterval(keys.tokenLifetime).timeIntervalSince1970),
            iat: Int(now.timeIntervalSince1970), authTime: Int(row.authTime.timeIntervalSince1970), nonce: row.nonce,
            atHash: Self.leftHalfHash(access))
        let signed = try await JWTKeyCollection().add(ecdsa: key, kid: JWKIdentifier(string: kid)).sign(idToken, kid: JWKIdentifier(string: kid))
        return OIDCTokenResponse(accessToken: access, expiresIn: Int(Self.accessTokenLifetime), refreshToken: refresh,
                                 scope: row.scopesText, idToken: signed)
    }

    // MARK: Refresh

    /// The token endpoint's `refresh_token` grant: a new access token and a new refresh token; the old
    /// refresh token is spent. A spent one presented again revokes the family.
    func refresh(token: String?, client: OIDCClient) async throws -> OIDCTokenResponse {
        guard let token, !token.isEmpty else { throw OIDCProtocolError.invalidRequest("refresh_token is missing") }
        guard let row = try await OIDCToken.query(on: database).filter(\.$tokenHash == OneTimeToken.hash(token))
            .filter(\.$kind == .refresh).first(), row.$client.id == client.id
        else { throw OIDCProtocolError.invalidGrant("unknown refresh token") }
        if row.usedAt != nil {
            try await revokeGrant(row.grantID, client: client, patronID: row.$patron.id, reason: "oidc.refresh_reused")
            throw OIDCProtocolError.invalidGrant("refresh token already used; its family is revoked")
        }
        guard row.revokedAt == nil, row.expiresAt > now else { throw OIDCProtocolError.invalidGrant("refresh token is not active") }
        guard let patron = try await Patron.find(row.$patron.id, on: database), patron.standing(at: now) == .good else {
            throw OIDCProtocolError.invalidGrant("the card may not be used now")
        }
        guard let issued = try await issueTokens(claiming: OIDCToken.schema, id: row.requireID(), client: client,
                                                            patronID: row.$patron.id, grantID: row.grantID, scopes: row.scopesText,
                                                            action: "oidc.tokens_refreshed")
        else {
            try await revokeGrant(row.grantID, client: client, patronID: row.$patron.id, reason: "oidc.refresh_reused")
            throw OIDCProtocolError.invalidGrant("refresh token already used; its family is revoked")
        }
        let (access, refresh) = issued
        return OIDCTokenResponse(accessToken: access, expiresIn: Int(Self.accessTokenLifetime), refreshToken: refresh,
                                 scope: row.scopesText, idToken: nil)
    }

    // MARK: Revocation, introspection, userinfo

    /// RFC 7009: a refresh token takes its family with it; an access token goes alone. A token that is
    /// unknown or another client's is left alone, and the answer is the same.
    func revoke(token: String?, client: OIDCClient) async throws {
        guard let token, !token.isEmpty else { throw OIDCProtocolError.invalidRequest("token is missing") }
        guard let row = try await OIDCToken.query(on: database).filter(\.$tokenHash == OneTimeToken.hash(token)).first(),
              row.$client.id == client.id, row.revokedAt == nil
        else { return }
        if row.kind == .refresh {
            try await revokeGrant(row.grantID, client: client, patronID: row.$patron.id, reason: "oidc.token_revoked")
        } else {
            try await database.transaction { db in
                row.revokedAt = now
                try await row.save(on: db)
                try await AuditTrail.record("oidc.token_revoked", by: AuditActor(type: "oidc_client", id: client.clientID, ipAddress: nil),
                                            subject: ("patron", row.$patron.id.uuidString), details: ["kind": "access"], at: now, on: db)
            }
        }
    }

    /// RFC 7662, for the client's own tokens only.
    func introspect(token: String?, client: OIDCClient) async throws -> OIDCIntrospection {
        guard let token, !token.isEmpty else { throw OIDCProtocolError.invalidRequest("token is missing") }
        guard let row = try await OIDCToken.query(on: database).filter(\.$tokenHash == OneTimeToken.hash(token)).first(),
              row.$client.id == client.id, row.isActive(at: now)
        else { return OIDCIntrospection(active: false) }
        return OIDCIntrospection(
            active: true, scope: row.scopesText, clientID: client.clientID,
            sub: OIDCUserInfo.pairwiseSubject(patron: row.$patron.id, clientID: client.clientID, vault: vault),
            tokenType: row.kind == .access ? "Bearer" : "refresh_token", exp: Int(row.expiresAt.timeIntervalSince1970),
            iat: Int(row.issuedAt.timeIntervalSince1970), iss: issuer, aud: client.clientID)
    }

    /// The reader's claims for an active access token, by its scopes.
    func userInfo(accessToken: String?) async throws -> OIDCUserInfo {
        guard let accessToken, let row = try await OIDCToken.query(on: database).filter(\.$tokenHash == OneTimeToken.hash(accessToken))
            .filter(\.$kind == .access).with(\.$client).first(), row.isActive(at: now), row.client.disabledAt == nil,
            let patron = try await Patron.query(on: database).filter(\.$id == row.$patron.id).with(\.$library).first(),
            patron.status == .active
        else { throw OIDCProtocolError.invalidToken() }
        return try OIDCUserInfo(patron: patron, clientID: row.client.clientID, scopes: row.scopes, vault: vault, now: now)
    }

    /// Every token a reader's consent to a client gave: ended when the consent is withdrawn.
    static func revokeAll(patronID: UUID, consentCode: String, at now: Date, on db: any Database) async throws {
        guard let client = try await OIDCClient.query(on: db).filter(\.$consentCode == consentCode).first() else { return }
        try await OIDCToken.query(on: db).filter(\.$client.$id == client.requireID()).filter(\.$patron.$id == patronID)
            .filter(\.$revokedAt == nil).set(\.$revokedAt, to: now).update()
    }

    // MARK: Parts

    /// Claims the code or refresh token (`table`, `id`) and writes the new pair and its audit entry, in one
    /// transaction; nil, and nothing written, when the claim was lost (it had been used).
    private func issueTokens(claiming table: String, id: UUID, client: OIDCClient, patronID: UUID, grantID: UUID, scopes: String,
                             action: String) async throws -> (access: String, refresh: String)? {
        let access = OneTimeToken.make(), refresh = OneTimeToken.make()
        func token(_ kind: OIDCToken.Kind, _ hash: String, lifetime: TimeInterval) throws -> OIDCToken {
            let row = OIDCToken()
            row.tokenHash = hash
            row.kind = kind
            row.$client.id = try client.requireID()
            row.$patron.id = patronID
            row.grantID = grantID
            row.scopesText = scopes
            row.issuedAt = now
            row.expiresAt = now.addingTimeInterval(lifetime)
            return row
        }
        let rows = [try token(.access, access.hash, lifetime: Self.accessTokenLifetime),
                    try token(.refresh, refresh.hash, lifetime: Self.refreshTokenLifetime)]
        let claimed = try await database.transaction { db in
            guard try await claim(table, id: id, on: db) else { return false }
            try await rows.create(on: db)
            try await AuditTrail.record(action, by: AuditActor(type: "oidc_client", id: client.clientID, ipAddress: nil),
                                        subject: ("patron", patronID.uuidString), details: ["grant": grantID.uuidString, "scope": scopes],
                                        at: now, on: db)
            return true
        }
        return claimed ? (access.token, refresh.token) : nil
    }

    /// Revokes every token of a grant (a replayed code, a reused refresh token, a revoked refresh token).
    private func revokeGrant(_ grantID: UUID, client: OIDCClient, patronID: UUID, reason: String) async throws {
        try await database.transaction { db in
            try await OIDCToken.query(on: db).filter(\.$grantID == grantID).filter(\.$revokedAt == nil).set(\.$revokedAt, to: now).update()
            try await AuditTrail.record(reason, by: AuditActor(type: "oidc_client", id: client.clientID, ipAddress: nil),
                                        subject: ("patron", patronID.uuidString), details: ["grant": grantID.uuidString], at: now, on: db)
        }
    }

    /// Sets `used_at` on a row that has none, in one statement, and says whether this call did.
    private func claim(_ table: String, id: UUID, on database: any Database) async throws -> Bool {
        guard let sql = database as? any SQLDatabase else { return true }
        let rows = try await sql.update(table).set("used_at", to: SQLBind(now)).where("id", .equal, SQLBind(id))
            .where("used_at", .is, SQLLiteral.null).returning("id").all()
        return !rows.isEmpty
    }

    static func s256(_ verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64URLEncodedString()
    }

    static func leftHalfHash(_ token: String) -> String {
        Data(SHA256.hash(data: Data(token.utf8)).prefix(16)).base64URLEncodedString()
    }
}
