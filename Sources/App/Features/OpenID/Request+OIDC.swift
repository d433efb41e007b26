import Vapor

extension Application {
    /// Signing keys opened once per process (`OIDCKeyCache`).
    var oidcKeyCache: OIDCKeyCache {
        get { storage[StorageKeys.OIDCKeyCacheKey.self]! }
        set { storage[StorageKeys.OIDCKeyCacheKey.self] = newValue }
    }

    /// The token endpoint's group commit (`OIDCIssuanceQueue`).
    var oidcIssuanceQueue: OIDCIssuanceQueue {
        get { storage[StorageKeys.OIDCIssuanceQueueKey.self]! }
        set { storage[StorageKeys.OIDCIssuanceQueueKey.self] = newValue }
    }
}

extension OneCardSettings {
    /// The provider's `iss`: the site's address, without a trailing slash.
    var oidcIssuer: String {
        let text = baseURL.absoluteString
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }
}

extension Request {
    var oidcKeyRing: OIDCKeyRing {
        OIDCKeyRing(database: db, vault: application.vault, cache: application.oidcKeyCache,
                    tokenLifetime: OIDCGrants.accessTokenLifetime, now: now)
    }

    var oidcGrants: OIDCGrants {
        OIDCGrants(database: db, vault: application.vault, keys: oidcKeyRing, issuance: application.oidcIssuanceQueue,
                   issuer: application.settings.oidcIssuer, now: now)
    }
}
