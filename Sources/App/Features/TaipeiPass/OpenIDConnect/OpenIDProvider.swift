import Foundation
import JWTKit
import NIOConcurrencyHelpers
import Vapor

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
