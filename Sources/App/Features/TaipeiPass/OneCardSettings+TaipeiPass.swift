import Fluent
import Foundation
import Vapor

extension OneCardSettings {
    /// Registered with the provider; derived from `ONECARD_BASE_URL`.
    var taipeiPassRedirectURI: String {
        let base = baseURL.absoluteString
        return (base.hasSuffix("/") ? String(base.dropLast()) : base) + SiteURL.taipeiPassCallback.path
    }
}
