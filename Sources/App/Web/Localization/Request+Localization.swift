import Foundation
import Vapor

extension Request {
    /// Set by `LocaleMiddleware` for every request.
    public var locale: SiteLocale {
        get { storage[StorageKeys.LocaleKey.self] ?? .zhTW }
        set { storage[StorageKeys.LocaleKey.self] = newValue }
    }

    public func t(_ key: String, _ values: [String: String] = [:]) -> String {
        application.localizer.text(key, locale, values)
    }
}
