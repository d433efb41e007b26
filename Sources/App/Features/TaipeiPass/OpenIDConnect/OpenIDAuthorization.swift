import Crypto
import Foundation
import Vapor

/// One authorization code request in flight (OpenID Connect Core 1.0, section 3.1, with PKCE, RFC 7636):
/// its `state`, `nonce` and PKCE code verifier stay on the server, in the reader's session, and only the
/// state, the nonce and the S256 challenge travel to the provider.
struct PendingAuthorization: Codable, Sendable, Equatable {
    enum Purpose: String, Codable, Sendable {
        /// 合作館服務 → 與台北通結合: the signed-in reader links their Taipei Pass account.
        case link
        /// 以台北通登入 on the sign-in page.
        case signIn = "sign_in"
    }

    static let sessionKey = "taipei_pass_authorization"
    /// A person who has not come back from the provider within this time starts again.
    static let lifetime: TimeInterval = 600

    let purpose: Purpose
    let state: String
    let nonce: String
    let codeVerifier: String
    let startedAt: Date
    /// For `link`: the reader who started it, who must still be the one signed in at the callback.
    let patronID: UUID?
    /// For `link`: the consent document version the reader agreed to before leaving.
    let consentDocumentID: UUID?

    static func start(_ purpose: Purpose, patronID: UUID? = nil, consentDocumentID: UUID? = nil, now: Date) -> PendingAuthorization {
        PendingAuthorization(purpose: purpose, state: randomToken(), nonce: randomToken(), codeVerifier: randomToken(),
                             startedAt: now, patronID: patronID, consentDocumentID: consentDocumentID)
    }

    /// 256 random bits, base64url: 43 characters, within RFC 7636's 43–128 for the code verifier.
    static func randomToken() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64URLEncodedString() }
    }

    /// `BASE64URL(SHA256(code_verifier))` (RFC 7636, section 4.2).
    var codeChallenge: String {
        Data(SHA256.hash(data: Data(codeVerifier.utf8))).base64URLEncodedString()
    }

    func isExpired(at now: Date) -> Bool {
        now.timeIntervalSince(startedAt) > Self.lifetime || now < startedAt.addingTimeInterval(-60)
    }

    /// The provider's authorization endpoint with this request's parameters (keeping any it already has).
    func authorizationURL(endpoint: String, clientID: String, redirectURI: String, locale: SiteLocale) throws -> String {
        guard var components = URLComponents(string: endpoint) else {
            throw OpenIDProviderError("authorization endpoint \(endpoint) is not a URL")
        }
        var items = components.queryItems ?? []
        items += [
            URLQueryItem(name: "response_type", value: "code"),
            URLQueryItem(name: "client_id", value: clientID),
            URLQueryItem(name: "redirect_uri", value: redirectURI),
            URLQueryItem(name: "scope", value: "openid"),
            URLQueryItem(name: "state", value: state),
            URLQueryItem(name: "nonce", value: nonce),
            URLQueryItem(name: "code_challenge", value: codeChallenge),
            URLQueryItem(name: "code_challenge_method", value: "S256"),
            URLQueryItem(name: "ui_locales", value: locale.rawValue),
        ]
        components.queryItems = items
        // `+` is a space in form decoding; encode it so no value changes on the way.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        guard let url = components.string else { throw OpenIDProviderError("cannot build the authorization URL") }
        return url
    }
}
