import Foundation
import Vapor

extension Request {
    private struct LocaleKey: StorageKey { typealias Value = SiteLocale }

    /// Set by `LocaleMiddleware` for every request.
    public var locale: SiteLocale {
        get { storage[LocaleKey.self] ?? .zhTW }
        set { storage[LocaleKey.self] = newValue }
    }

    public func t(_ key: String, _ values: [String: String] = [:]) -> String {
        application.localizer.text(key, locale, values)
    }
}
