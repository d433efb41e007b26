import Foundation

/// A validated authorization request (code flow only), kept in the reader's session while they sign in
/// and consent.
struct OIDCAuthorizationRequest: Codable, Sendable, Equatable {
    let clientID: String
    let redirectURI: String
    /// Granted scopes: those asked for that the client is registered for, `openid` first.
    let scopes: [String]
    let state: String?
    let nonce: String?
    /// PKCE S256 challenge; required of public clients.
    let codeChallenge: String?
    /// `prompt=login`: sign in again even with a OneCard session.
    let forcesSignIn: Bool

    /// The query of `/oidc/authorize`.
    struct Query: Decodable {
        var client_id: String?
        var redirect_uri: String?
        var response_type: String?
        var scope: String?
        var state: String?
        var nonce: String?
        var code_challenge: String?
        var code_challenge_method: String?
        var prompt: String?
    }

    /// Why a request was refused. Until the client and its redirect URI are known to match, the reader gets
    /// a page and nothing is sent anywhere (an open redirect otherwise); after that, the client gets the error.
    enum Refusal: Error, Equatable {
        /// `oidc.authorize.<reason>` on a page.
        case page(String)
        case redirect(OIDCProtocolError, redirectURI: String, state: String?)
    }

    /// Checks `query` against `client` (nil: no such or disabled client).
    static func validate(_ query: Query, client: OIDCClient?) throws(Refusal) -> Self {
        guard let client, client.disabledAt == nil else { throw .page("unknown_client") }
        guard let redirectURI = query.redirect_uri, client.redirectURIs.contains(redirectURI) else { throw .page("redirect_uri") }
        func refuse(_ error: OIDCProtocolError) -> Refusal { .redirect(error, redirectURI: redirectURI, state: query.state) }
        guard query.response_type == "code" else {
            throw refuse(.init(code: "unsupported_response_type", description: "only the code flow is offered"))
        }
        let asked = (query.scope ?? "").split(separator: " ").map(String.init)
        guard asked.contains(OIDCScope.openid.rawValue) else { throw refuse(.invalidScope("openid is required")) }
        let allowed = client.scopes
        guard asked.allSatisfy(allowed.contains) else { throw refuse(.invalidScope("the client is not registered for every scope asked")) }
        if let challenge = query.code_challenge {
            guard query.code_challenge_method == "S256", (43...128).contains(challenge.count) else {
                throw refuse(.invalidRequest("PKCE must use S256"))
            }
        } else if !client.isConfidential {
            throw refuse(.invalidRequest("a public client must use PKCE (S256)"))
        }
        let prompts = Set((query.prompt ?? "").split(separator: " ").map(String.init))
        return Self(clientID: client.clientID, redirectURI: redirectURI, scopes: OIDCScope.parse(asked.joined(separator: " ")).map(\.rawValue),
                    state: query.state, nonce: query.nonce, codeChallenge: query.code_challenge, forcesSignIn: prompts.contains("login"))
    }

    /// `redirectURI` with `parameters` added to its query.
    static func redirect(_ redirectURI: String, _ parameters: [(String, String?)]) -> String {
        var components = URLComponents(string: redirectURI)!
        var items = components.queryItems ?? []
        for (name, value) in parameters { if let value { items.append(URLQueryItem(name: name, value: value)) } }
        components.queryItems = items
        // `+` is a space to form decoders: encode it, as URLComponents does not.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return components.string!
    }

    func errorRedirect(_ error: OIDCProtocolError, issuer: String) -> String {
        Self.redirect(redirectURI, [("error", error.code), ("error_description", error.description), ("state", state), ("iss", issuer)])
    }
}
