import FluentKit
import Foundation
import SQLKit

/// The token endpoint's reads and writes (issue #15 item 1: 500 code exchanges and refreshes a second).
///
/// SQLKit rows, not Fluent models: a profile of 6,000 exchanges and refreshes showed Fluent's reflection of
/// model properties (`Fields.properties`, through `Mirror`) at 12% of the server's CPU and query
/// serialization at 7.5%, for rows of a few columns. A refresh reads its token, client, card and consent in
/// one statement, where it used three queries and a `Patron` model of thirty columns.
struct OIDCTokenStore {
    /// A Fluent database that speaks SQL (SQLite or PostgreSQL); its transactions are Fluent's.
    let database: any Database
    let now: Date

    private var sql: any SQLDatabase { database as! any SQLDatabase }

    /// A client as the token, revocation and introspection endpoints need it.
    struct Client: Decodable, Sendable {
        let id: UUID
        let clientID: String
        let secretHash: String?
        let disabledAt: Date?
        let introspectsAnyToken: Bool
        /// How its ID tokens are signed.
        let idTokenAlgorithm: OIDCSigningAlgorithm

        var isConfidential: Bool { secretHash != nil }

        enum CodingKeys: String, CodingKey {
            case id
            case clientID = "client_id", secretHash = "secret_hash", disabledAt = "disabled_at"
            case introspectsAnyToken = "introspects_any_token"
            case idTokenAlgorithm = "id_token_signed_response_alg"
        }

        init(id: UUID, clientID: String, secretHash: String?, disabledAt: Date?, introspectsAnyToken: Bool,
             idTokenAlgorithm: OIDCSigningAlgorithm = .es256) {
            self.id = id
            self.clientID = clientID
            self.secretHash = secretHash
            self.disabledAt = disabledAt
            self.introspectsAnyToken = introspectsAnyToken
            self.idTokenAlgorithm = idTokenAlgorithm
        }

        init(from decoder: any Decoder) throws {
            let row = try decoder.container(keyedBy: CodingKeys.self)
            id = try row.decode(UUID.self, forKey: .id)
            clientID = try row.decode(String.self, forKey: .clientID)
            secretHash = try row.decodeIfPresent(String.self, forKey: .secretHash)
            disabledAt = try row.decodeIfPresent(Date.self, forKey: .disabledAt)
            // SQLite keeps booleans as integers, PostgreSQL as booleans.
            introspectsAnyToken = (try? row.decode(Bool.self, forKey: .introspectsAnyToken))
                ?? ((try? row.decode(Int.self, forKey: .introspectsAnyToken)) ?? 0 != 0)
            idTokenAlgorithm = try row.decode(OIDCSigningAlgorithm.self, forKey: .idTokenAlgorithm)
        }
    }

    /// An authorization code.
    struct Code: Decodable, Sendable {
        let id: UUID
        let clientRowID: UUID
        let patronID: UUID
        let redirectURI: String
        let scopes: String
        let nonce: String?
        let codeChallenge: String?
        let authTime: Date
        let expiresAt: Date
        let usedAt: Date?

        enum CodingKeys: String, CodingKey {
            case id, scopes, nonce
            case clientRowID = "client_id", patronID = "patron_id", redirectURI = "redirect_uri", codeChallenge = "code_challenge"
            case authTime = "auth_time", expiresAt = "expires_at", usedAt = "used_at"
        }
    }

    /// An access or refresh token with what its use depends on now: its client, its reader's card and the
    /// reader's consent to the client.
    struct Token: Decodable, Sendable {
        let id: UUID
        let kind: String
        let clientRowID: UUID
        let patronID: UUID
        let grantID: UUID
        let scopes: String
        let issuedAt: Date
        let expiresAt: Date
        let usedAt: Date?
        let revokedAt: Date?
        /// The client's public `client_id`.
        let clientID: String
        let clientDisabledAt: Date?
        let patronStatus: String
        let cardValidUntil: String?
        let suspendedAt: Date?
        /// 1 when a consent of the reader to the client's consent document stands (not withdrawn).
        let consented: Int

        enum CodingKeys: String, CodingKey {
            case id, kind, scopes, consented
            case clientRowID = "client_id", patronID = "patron_id", grantID = "grant_id", issuedAt = "issued_at"
            case expiresAt = "expires_at", usedAt = "used_at", revokedAt = "revoked_at", clientID = "client_name"
            case clientDisabledAt = "client_disabled_at", patronStatus = "patron_status", cardValidUntil = "card_valid_until"
            case suspendedAt = "suspended_at"
        }

        var isRefresh: Bool { kind == OIDCToken.Kind.refresh.rawValue }

        /// Neither spent, revoked nor expired.
        func isLive(at now: Date) -> Bool { revokedAt == nil && usedAt == nil && expiresAt > now }

        /// The reader's card may be used now: active, neither suspended nor past its 有效期限.
        func cardIsInGoodStanding(at now: Date) -> Bool {
            patronStatus == Patron.Status.active.rawValue
                && Patron.validity(validUntil: cardValidUntil, suspendedAt: suspendedAt, reason: nil).standing(at: now) == .good
        }

        /// What a resource server may rely on (RFC 7662 `active`): the token is live, its client is not
        /// disabled, the reader's consent to the client stands and the card is in good standing. Revoking on
        /// each of those events is not enough on its own: consents end in several places (erasure, a revoked
        /// digital card), and a suspension or a 有效期限 passes without touching the tokens.
        func isInForce(at now: Date) -> Bool {
            isLive(at: now) && clientDisabledAt == nil && consented != 0 && cardIsInGoodStanding(at: now)
        }
    }

    func client(_ clientID: String) async throws -> Client? {
        try await sql.raw("""
            SELECT id, client_id, secret_hash, disabled_at, introspects_any_token, id_token_signed_response_alg FROM \(unsafeRaw: OIDCClient.schema) \
            WHERE client_id = \(bind: clientID)
            """).first(decoding: Client.self)
    }

    func code(hash: String) async throws -> Code? {
        try await sql.raw("""
            SELECT id, client_id, patron_id, redirect_uri, scopes, nonce, code_challenge, auth_time, expires_at, used_at \
            FROM \(unsafeRaw: OIDCAuthorizationCode.schema) WHERE code_hash = \(bind: hash)
            """).first(decoding: Code.self)
    }

    func token(hash: String) async throws -> Token? {
        try await sql.raw("""
            SELECT t.id, t.kind, t.client_id, t.patron_id, t.grant_id, t.scopes, t.issued_at, t.expires_at, t.used_at, t.revoked_at, \
            c.client_id AS client_name, c.disabled_at AS client_disabled_at, \
            p.status AS patron_status, p.card_valid_until, p.suspended_at, \
            CASE WHEN EXISTS (SELECT 1 FROM \(unsafeRaw: ConsentRecord.schema) r \
            JOIN \(unsafeRaw: ConsentDocument.schema) d ON d.id = r.document_id \
            WHERE r.patron_id = t.patron_id AND d.code = c.consent_code AND r.withdrawn_at IS NULL) THEN 1 ELSE 0 END AS consented \
            FROM \(unsafeRaw: OIDCToken.schema) t \
            JOIN \(unsafeRaw: OIDCClient.schema) c ON c.id = t.client_id \
            JOIN \(unsafeRaw: Patron.schema) p ON p.id = t.patron_id \
            WHERE t.token_hash = \(bind: hash)
            """).first(decoding: Token.self)
    }

    /// One issuance of an access and a refresh token, by spending a code or a refresh token.
    struct Issuance: Sendable {
        /// The table of what is spent (`oidc_authorization_codes` or `oidc_tokens`) and its row.
        let claiming: String
        let claimID: UUID
        let client: Client
        let patronID: UUID
        let grantID: UUID
        let scopes: String
        /// The audit entry's action.
        let auditAction: String
        let accessHash: String
        let refreshHash: String
        let now: Date
    }

    /// Writes a batch of issuances in one transaction (`OIDCIssuanceQueue`): each spends its code or refresh
    /// token with one UPDATE per table, and the tokens and audit entries of those that won go in one INSERT
    /// each. Says for each issuance whether it won; one that lost (already spent, or spent earlier in the
    /// same batch) wrote nothing.
    static func write(_ batch: [Issuance], on database: any Database) async throws -> [Bool] {
        guard let first = batch.first else { return [] }
        return try await database.transaction { db in
            let sql = db as! any SQLDatabase
            var spent = Set<UUID>()
            for table in Set(batch.map(\.claiming)).sorted() {
                let ids = Array(Set(batch.filter { $0.claiming == table }.map(\.claimID)))
                let rows = try await sql.update(table).set("used_at", to: SQLBind(first.now))
                    .where("id", .in, SQLBind.group(ids)).where("used_at", .is, SQLLiteral.null).returning("id").all()
                for row in rows { spent.insert(try row.decode(column: "id", as: UUID.self)) }
            }
            // Two issuances spending one row in the same batch: the first wins, the other is a replay.
            var taken = Set<UUID>()
            let won = batch.map { spent.contains($0.claimID) && taken.insert($0.claimID).inserted }
            let winners = zip(batch, won).filter(\.1).map(\.0)
            guard !winners.isEmpty else { return won }
            var tokens = sql.insert(into: OIDCToken.schema)
                .columns("id", "token_hash", "kind", "client_id", "patron_id", "grant_id", "scopes", "issued_at", "expires_at")
            var audit = sql.insert(into: AuditEvent.schema)
                .columns("id", "occurred_at", "actor_type", "actor_id", "action", "subject_type", "subject_id", "details")
            for issuance in winners {
                for (kind, hash, lifetime) in [(OIDCToken.Kind.access, issuance.accessHash, OIDCGrants.accessTokenLifetime),
                                               (.refresh, issuance.refreshHash, OIDCGrants.refreshTokenLifetime)] {
                    tokens = tokens.values(SQLBind(UUID()), SQLBind(hash), SQLBind(kind.rawValue), SQLBind(issuance.client.id),
                                           SQLBind(issuance.patronID), SQLBind(issuance.grantID), SQLBind(issuance.scopes),
                                           SQLBind(issuance.now), SQLBind(issuance.now.addingTimeInterval(lifetime)))
                }
                // `AuditTrail.record`'s entry, written as a row.
                let details = String(decoding: try JSONEncoder.sorted.encode(["grant": issuance.grantID.uuidString, "scope": issuance.scopes]),
                                     as: UTF8.self)
                audit = audit.values(SQLBind(UUID()), SQLBind(issuance.now), SQLBind("oidc_client"), SQLBind(issuance.client.clientID),
                                     SQLBind(issuance.auditAction), SQLBind("patron"), SQLBind(issuance.patronID.uuidString), SQLBind(details))
            }
            try await tokens.run()
            try await audit.run()
            return won
        }
    }
}
