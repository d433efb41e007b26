import Foundation
import JWTKit
import NIOConcurrencyHelpers
import Vapor

/// What OneCard needs from a provider's discovery document (OpenID Connect Discovery 1.0, section 3).
struct OpenIDProviderMetadata: Codable, Sendable, Equatable {
    let issuer: String
    let authorizationEndpoint: String
    let tokenEndpoint: String
    let jwksURI: String
    let responseTypesSupported: [String]?
    let codeChallengeMethodsSupported: [String]?
    let idTokenSigningAlgValuesSupported: [String]?
    let tokenEndpointAuthMethodsSupported: [String]?

    enum CodingKeys: String, CodingKey {
        case issuer
        case authorizationEndpoint = "authorization_endpoint"
        case tokenEndpoint = "token_endpoint"
        case jwksURI = "jwks_uri"
        case responseTypesSupported = "response_types_supported"
        case codeChallengeMethodsSupported = "code_challenge_methods_supported"
        case idTokenSigningAlgValuesSupported = "id_token_signing_alg_values_supported"
        case tokenEndpointAuthMethodsSupported = "token_endpoint_auth_methods_supported"
    }
}

/// Why the provider could not be used; logged, never shown (the reader sees one localized message).
struct OpenIDProviderError: Error, CustomStringConvertible, Equatable {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One public key from the provider's JWKS that may sign ID tokens, with the one algorithm it is used with.
struct OpenIDSigningKey: Sendable {
    enum Algorithm: String, Sendable, CaseIterable {
        case rs256 = "RS256"
        case es256 = "ES256"
    }

    enum Material: Sendable {
        case rsa(JWTKit.Insecure.RSA.PublicKey)
        case ecdsaP256(ES256PublicKey)
    }

    let keyID: String?
    let algorithm: Algorithm
    let material: Material

    /// A JWKS member as JSON (RFC 7517). Keys for encryption, other curves or other algorithms are skipped.
    struct JWK: Decodable {
        let kty: String
        let kid: String?
        let use: String?
        let alg: String?
        let n: String?
        let e: String?
        let crv: String?
        let x: String?
        let y: String?
    }

    /// The keys of a JWKS document that can verify RS256 or ES256 signatures.
    static func keys(fromJWKS data: Data) throws -> [OpenIDSigningKey] {
        struct JWKS: Decodable { let keys: [JWK] }
        let set = try JSONDecoder().decode(JWKS.self, from: data)
        return set.keys.compactMap { jwk in
            guard jwk.use == nil || jwk.use == "sig" else { return nil }
            switch jwk.kty {
            case "RSA":
                guard jwk.alg == nil || jwk.alg == Algorithm.rs256.rawValue, let n = jwk.n, let e = jwk.e,
                      let key = try? JWTKit.Insecure.RSA.PublicKey(modulus: n, exponent: e)
                else { return nil }
                return OpenIDSigningKey(keyID: jwk.kid, algorithm: .rs256, material: .rsa(key))
            case "EC":
                guard jwk.alg == nil || jwk.alg == Algorithm.es256.rawValue, jwk.crv == "P-256", let x = jwk.x, let y = jwk.y,
                      let key = try? ES256PublicKey(parameters: (x, y))
                else { return nil }
                return OpenIDSigningKey(keyID: jwk.kid, algorithm: .es256, material: .ecdsaP256(key))
            default:
                return nil
            }
        }
    }
}

/// The provider as OneCard knows it: its discovery document and signing keys, fetched with Vapor's
/// client and cached. An ID token naming a key that is not in the cached set makes one refetch of the
/// JWKS (the provider rotated its keys), at most once per `minimumKeyRefetchInterval`, so tokens with
/// made-up key ids cannot make OneCard hammer the provider.
actor OpenIDProvider {
    let settings: TaipeiPassSettings
    let metadataLifetime: TimeInterval
    let keysLifetime: TimeInterval
    let minimumKeyRefetchInterval: TimeInterval

    /// The issuer's origin and, once discovered, the authorization endpoint's: where the site's forms may
    /// redirect to (the `form-action` of its Content-Security-Policy), readable without awaiting the actor.
    nonisolated var formActionOrigins: [String] { origins.withLockedValue { $0 } }
    private let origins: NIOLockedValueBox<[String]>

    private var metadata: (value: OpenIDProviderMetadata, fetchedAt: Date)?
    private var keys: (value: [OpenIDSigningKey], fetchedAt: Date)?

    init(settings: TaipeiPassSettings, metadataLifetime: TimeInterval = 3600, keysLifetime: TimeInterval = 3600,
         minimumKeyRefetchInterval: TimeInterval = 30) {
        self.settings = settings
        self.metadataLifetime = metadataLifetime
        self.keysLifetime = keysLifetime
        self.minimumKeyRefetchInterval = minimumKeyRefetchInterval
        self.origins = NIOLockedValueBox(Self.origin(of: settings.issuer).map { [$0] } ?? [])
    }

    /// `scheme://host[:port]` of a URL.
    static func origin(of url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else { return nil }
        return "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
    }

    /// The discovery document, checked: same issuer as configured, the code flow, PKCE S256, a usable signing algorithm.
    func metadata(client: any Client, now: Date) async throws -> OpenIDProviderMetadata {
        if let metadata, now.timeIntervalSince(metadata.fetchedAt) < metadataLifetime { return metadata.value }
        do {
            let fetched = try await fetchMetadata(client: client)
            metadata = (fetched, now)
            if let origin = Self.origin(of: fetched.authorizationEndpoint) {
                origins.withLockedValue { if !$0.contains(origin) { $0.append(origin) } }
            }
            return fetched
        } catch {
            // A provider that is briefly unreachable should not stop sign-ins that the last good document serves.
            if let metadata { return metadata.value }
            throw error
        }
    }

    private func fetchMetadata(client: any Client) async throws -> OpenIDProviderMetadata {
        let data = try await Self.get(settings.discoveryURL, client: client)
        let document: OpenIDProviderMetadata
        do {
            document = try JSONDecoder().decode(OpenIDProviderMetadata.self, from: data)
        } catch {
            throw OpenIDProviderError("discovery document is not valid: \(error)")
        }
        guard document.issuer == settings.issuer else {
            throw OpenIDProviderError("discovery document names issuer \(document.issuer), not the configured \(settings.issuer)")
        }
        if let types = document.responseTypesSupported, !types.contains("code") {
            throw OpenIDProviderError("provider does not support the authorization code flow")
        }
        if let methods = document.codeChallengeMethodsSupported, !methods.contains("S256") {
            throw OpenIDProviderError("provider does not support PKCE with S256")
        }
        if let algorithms = document.idTokenSigningAlgValuesSupported,
           Set(algorithms).isDisjoint(with: OpenIDSigningKey.Algorithm.allCases.map(\.rawValue)) {
            throw OpenIDProviderError("provider signs ID tokens with none of RS256, ES256")
        }
        for endpoint in [document.authorizationEndpoint, document.tokenEndpoint, document.jwksURI] {
            guard let url = URLComponents(string: endpoint), url.scheme == URLComponents(string: settings.issuer)?.scheme,
                  url.host != nil
            else { throw OpenIDProviderError("discovery document has an unusable endpoint \(endpoint)") }
        }
        return document
    }

    /// The key that signed a token: by its `kid`, or the only key for the algorithm when the token names none.
    func signingKey(keyID: String?, algorithm: OpenIDSigningKey.Algorithm, client: any Client, now: Date) async throws -> OpenIDSigningKey? {
        func find(in keys: [OpenIDSigningKey]) -> OpenIDSigningKey? {
            let candidates = keys.filter { $0.algorithm == algorithm }
            if let keyID { return candidates.first { $0.keyID == keyID } }
            return candidates.count == 1 ? candidates[0] : nil
        }
        if let keys, now.timeIntervalSince(keys.fetchedAt) < keysLifetime, let key = find(in: keys.value) {
            return key
        }
        if let keys, now.timeIntervalSince(keys.fetchedAt) < minimumKeyRefetchInterval {
            return find(in: keys.value)
        }
        let fetched: [OpenIDSigningKey]
        do {
            let jwksURI = try await metadata(client: client, now: now).jwksURI
            let data = try await Self.get(jwksURI, client: client)
            do {
                fetched = try OpenIDSigningKey.keys(fromJWKS: data)
            } catch {
                throw OpenIDProviderError("JWKS is not valid: \(error)")
            }
        } catch {
            // Keys that expired only by age still verify while the provider is briefly unreachable.
            if let keys, let key = find(in: keys.value) { return key }
            throw error
        }
        keys = (fetched, now)
        return find(in: fetched)
    }

    private static func get(_ url: String, client: any Client) async throws -> Data {
        let response: ClientResponse
        do {
            response = try await client.get(URI(string: url), headers: ["Accept": "application/json"])
        } catch {
            throw OpenIDProviderError("GET \(url) failed: \(error)")
        }
        guard response.status == .ok, let body = response.body else {
            throw OpenIDProviderError("GET \(url) answered \(response.status.code)")
        }
        return Data(body.readableBytesView)
    }
}

/// Fetches the provider's discovery document when `onecard serve` starts, so the first reader neither waits
/// for it nor meets a Content-Security-Policy that does not yet name the authorization endpoint's origin.
struct TaipeiPassWarmUp: LifecycleHandler {
    func didBootAsync(_ application: Application) async throws {
        guard let provider = application.taipeiPassProvider else { return }
        let client = application.client
        let logger = application.logger
        let now = application.clock.now()
        Task {
            do {
                _ = try await provider.metadata(client: client, now: now)
            } catch {
                logger.warning("Taipei Pass provider unusable", metadata: ["problem": .string(String(describing: error))])
            }
        }
    }
}
