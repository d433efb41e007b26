import Crypto
import Foundation
import Vapor

/// The token endpoint: exchanges the authorization code (with the PKCE code verifier) for the ID token.
enum OpenIDTokenEndpoint {
    struct Success: Decodable {
        let idToken: String?
        enum CodingKeys: String, CodingKey { case idToken = "id_token" }
    }

    struct Failure: Decodable {
        let error: String?
    }

    static func exchange(code: String, codeVerifier: String, redirectURI: String, metadata: OpenIDProviderMetadata,
                         settings: TaipeiPassSettings, client: any Client) async throws -> String {
        var form = [
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirectURI,
            "code_verifier": codeVerifier,
        ]
        var headers: HTTPHeaders = ["Accept": "application/json"]
        if let secret = settings.clientSecret {
            // client_secret_basic unless the provider accepts only client_secret_post (RFC 6749, section 2.3.1).
            let methods = metadata.tokenEndpointAuthMethodsSupported ?? ["client_secret_basic"]
            if methods.contains("client_secret_basic") || !methods.contains("client_secret_post") {
                headers.basicAuthorization = BasicAuthorization(username: formEncoded(settings.clientID), password: formEncoded(secret))
            } else {
                form["client_id"] = settings.clientID
                form["client_secret"] = secret
            }
        } else {
            form["client_id"] = settings.clientID
        }
        let response: ClientResponse
        do {
            response = try await client.post(URI(string: metadata.tokenEndpoint), headers: headers) { request in
                try request.content.encode(form, as: .urlEncodedForm)
            }
        } catch {
            throw OpenIDProviderError("token endpoint unreachable: \(error)")
        }
        let body = response.body.map { Data($0.readableBytesView) } ?? Data()
        guard response.status == .ok else {
            // Only the OAuth error code is kept: the rest of an error body is the provider's to word.
            let code = (try? JSONDecoder().decode(Failure.self, from: body))?.error ?? "none"
            throw OpenIDProviderError("token endpoint answered \(response.status.code), error \(code.prefix(64))")
        }
        guard let success = try? JSONDecoder().decode(Success.self, from: body), let idToken = success.idToken else {
            throw OpenIDProviderError("token endpoint answered without an id_token")
        }
        return idToken
    }

    static func formEncoded(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
