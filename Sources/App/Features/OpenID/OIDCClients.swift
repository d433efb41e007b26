import Crypto
import Fluent
import Foundation

/// Registering relying parties: shared by `/staff/oidc/clients` and `onecard oidc client`. Each client gets
/// its own consent document (`OIDC_<client_id>`, version 1) naming it and what it receives, so a reader's
/// consent is a versioned `ConsentRecord` like every other.
struct OIDCClients {
    static let consentCodePrefix = "OIDC_"

    let database: any Database
    let now: Date

    /// The client and, for a confidential one, its secret: shown once, stored as its SHA-256 only.
    func create(_ registration: OIDCClientRegistration, by actor: AuditActor) async throws -> (client: OIDCClient, secret: String?) {
        let name = registration.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw OIDCClientError.nameRequired }
        guard Self.isWebAddress(registration.homePage) else { throw OIDCClientError.homePageInvalid }
        let redirects = registration.redirectURIs.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !redirects.isEmpty, redirects.allSatisfy(Self.isRedirectURI) else { throw OIDCClientError.redirectURIInvalid }
        let known = Set(OIDCScope.allCases.map(\.rawValue))
        let scopes = Set(registration.scopes.filter { !$0.isEmpty } + ["openid"])
        guard scopes.isSubset(of: known) else { throw OIDCClientError.scopesInvalid }
        let codes = registration.libraryCodes.map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.filter { !$0.isEmpty }
        guard !codes.isEmpty || registration.allDigitalCards else { throw OIDCClientError.librariesRequired }
        let algorithm = try Self.algorithm(registration.idTokenAlgorithm)
        let libraries = Set(try await Library.query(on: database).all().map(\.code))
        if let unknown = codes.first(where: { !libraries.contains($0) }) { throw OIDCClientError.unknownLibrary(unknown) }

        let clientID = registration.clientID.trimmingCharacters(in: .whitespaces).isEmpty
            ? OneTimeToken.make().token.prefix(22).lowercased() : registration.clientID.trimmingCharacters(in: .whitespaces)
        guard clientID.count <= 64, clientID.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || "-._".contains($0)) }) else {
            throw OIDCClientError.clientIDInvalid
        }
        guard try await OIDCClient.query(on: database).filter(\.$clientID == clientID).first() == nil else {
            throw OIDCClientError.clientIDTaken
        }
        let secret = registration.confidential ? OneTimeToken.make() : nil
        let client = OIDCClient()
        client.clientID = clientID
        client.name = name
        client.homePage = registration.homePage
        client.redirectURIsText = redirects.joined(separator: "\n")
        client.scopesText = OIDCScope.allCases.map(\.rawValue).filter(scopes.contains).joined(separator: " ")
        client.libraryCodesText = codes.joined(separator: " ")
        client.allDigitalCards = registration.allDigitalCards
        client.secretHash = secret?.hash
        client.introspectsAnyToken = registration.introspectsAnyToken
        client.idTokenAlgorithm = algorithm
        client.consentCode = Self.consentCodePrefix + clientID
        client.createdAt = now
        try await database.transaction { db in
            try await client.create(on: db)
            try await Self.consentDocument(for: client, version: 1, at: now).create(on: db)
            try await AuditTrail.record("oidc.client_created", by: actor, subject: ("oidc_client", clientID),
                                        details: ["confidential": registration.confidential ? "yes" : "no", "scopes": client.scopesText,
                                                  "libraries": client.libraryCodesText, "all_digital_cards": client.allDigitalCards ? "yes" : "no",
                                                  "introspects_any_token": client.introspectsAnyToken ? "yes" : "no",
                                                  "id_token_alg": algorithm.rawValue],
                                        at: now, on: db)
        }
        return (client, secret?.token)
    }

    func list() async throws -> [OIDCClient] {
        try await OIDCClient.query(on: database).sort(\.$createdAt).all()
    }

    /// Disabling refuses the client at every endpoint and revokes every token it holds.
    func disable(clientID: String, by actor: AuditActor) async throws {
        let client = try await find(clientID)
        guard client.disabledAt == nil else { return }
        try await database.transaction { db in
            client.disabledAt = now
            try await client.save(on: db)
            try await OIDCToken.query(on: db).filter(\.$client.$id == client.requireID()).filter(\.$revokedAt == nil)
                .set(\.$revokedAt, to: now).update()
            try await AuditTrail.record("oidc.client_disabled", by: actor, subject: ("oidc_client", clientID), at: now, on: db)
        }
    }

    /// A new secret for a confidential client; the old one stops working at once.
    func rotateSecret(clientID: String, by actor: AuditActor) async throws -> String {
        let client = try await find(clientID)
        guard client.isConfidential else { throw OIDCClientError.notFound }
        let secret = OneTimeToken.make()
        try await database.transaction { db in
            client.secretHash = secret.hash
            try await client.save(on: db)
            try await AuditTrail.record("oidc.client_secret_rotated", by: actor, subject: ("oidc_client", clientID), at: now, on: db)
        }
        return secret.token
    }

    /// Changes how the client's ID tokens are signed and whether it may introspect every client's tokens; what is
    /// left nil stays. Tokens already issued keep their signature: the old key stays published until they expire.
    func update(clientID: String, idTokenAlgorithm: String? = nil, introspectsAnyToken: Bool? = nil, by actor: AuditActor) async throws {
        let client = try await find(clientID)
        let algorithm = try idTokenAlgorithm.map(Self.algorithm) ?? client.idTokenAlgorithm
        let introspects = introspectsAnyToken ?? client.introspectsAnyToken
        guard algorithm != client.idTokenAlgorithm || introspects != client.introspectsAnyToken else { return }
        var details: [String: String] = [:]
        if algorithm != client.idTokenAlgorithm { details["id_token_alg"] = "\(client.idTokenAlgorithm.rawValue) → \(algorithm.rawValue)" }
        if introspects != client.introspectsAnyToken { details["introspects_any_token"] = introspects ? "yes" : "no" }
        try await database.transaction { [details] db in
            client.idTokenAlgorithm = algorithm
            client.introspectsAnyToken = introspects
            try await client.save(on: db)
            try await AuditTrail.record("oidc.client_changed", by: actor, subject: ("oidc_client", clientID), details: details, at: now, on: db)
        }
    }

    func find(_ clientID: String) async throws -> OIDCClient {
        guard let client = try await OIDCClient.query(on: database).filter(\.$clientID == clientID).first() else {
            throw OIDCClientError.notFound
        }
        return client
    }

    /// The consent text readers agree to: who receives what. Claims follow the client's scopes.
    static func consentDocument(for client: OIDCClient, version: Int, at now: Date) -> ConsentDocument {
        let scopes = OIDCScope.parse(client.scopesText).filter { $0 != .openid }
        let zhClaims = scopes.map { Self.claimsZH[$0] ?? $0.rawValue }.joined(separator: "、")
        let enClaims = scopes.map { Self.claimsEN[$0] ?? $0.rawValue }.joined(separator: ", ")
        return ConsentDocument(
            code: client.consentCode, version: version,
            titleZH: "同意以借閱證登入「\(client.name)」", titleEN: "Consent to sign in to \(client.name) with your card",
            bodyZH: """
            一、「\(client.name)」（\(client.homePage)）將知道您是本聯盟的讀者，並取得一個只供該服務使用的識別碼。
            二、該服務取得之資料：\(zhClaims.isEmpty ? "無其他資料" : zhClaims)。絕不提供身分證統一編號。
            三、您可隨時於「我的帳戶」撤回同意；撤回後該服務取得的登入權杖立即失效。
            """,
            bodyEN: """
            1. \(client.name) (\(client.homePage)) learns that you are a reader of the consortium and gets an identifier for that service alone.
            2. What the service receives: \(enClaims.isEmpty ? "nothing more" : enClaims). Never your ID number.
            3. You may withdraw this consent in My account at any time; the service's sign-in tokens stop working at once.
            """,
            publishedAt: now)
    }

    static let claimsZH: [OIDCScope: String] = [.profile: "姓名", .email: "電子郵件", .card: "借閱證種類、狀態、有效期限及所屬圖書館",
                                                .age: "是否年滿 18 歲及年齡級距", .birthdate: "出生日期"]
    static let claimsEN: [OIDCScope: String] = [.profile: "your name", .email: "your email address",
                                                .card: "your card's kind, standing, valid-until date and home library",
                                                .age: "whether you are 18 or over, and your age bracket", .birthdate: "your date of birth"]

    /// `ES256` or `RS256` (upper or lower case).
    static func algorithm(_ text: String) throws -> OIDCSigningAlgorithm {
        guard let algorithm = OIDCSigningAlgorithm(rawValue: text.trimmingCharacters(in: .whitespaces).uppercased()) else {
            throw OIDCClientError.idTokenAlgorithmInvalid
        }
        return algorithm
    }

    static func isWebAddress(_ text: String) -> Bool {
        guard let url = URLComponents(string: text), let scheme = url.scheme, let host = url.host, !host.isEmpty else { return false }
        return scheme == "https" || scheme == "http"
    }

    /// An absolute URL without a fragment; https, or http only for this machine (a developer's relying party).
    static func isRedirectURI(_ text: String) -> Bool {
        guard let url = URLComponents(string: text), url.fragment == nil, let host = url.host, !host.isEmpty else { return false }
        return url.scheme == "https" || (url.scheme == "http" && ["localhost", "127.0.0.1", "[::1]", "::1"].contains(host))
    }
}
