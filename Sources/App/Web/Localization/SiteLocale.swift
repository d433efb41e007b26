import Foundation
import Vapor

/// The languages the site speaks: Traditional Chinese first, English second.
public enum SiteLocale: String, Sendable, CaseIterable, Codable {
    case zhTW = "zh-TW"
    case en = "en"

    /// The one place a value given in both languages is chosen: English for `.en`, Traditional Chinese otherwise.
    /// Names go through `BilingualName.name(in:)`, which uses this.
    public func choose<Value>(zhTW: Value, en: Value) -> Value {
        self == .en ? en : zhTW
    }

    /// The value of `<html lang>`.
    public var htmlLanguage: String { self == .zhTW ? "zh-Hant-TW" : "en" }

    public init?(tag: String) {
        let tag = tag.lowercased()
        if tag.hasPrefix("zh") {
            self = .zhTW
        } else if tag.hasPrefix("en") {
            self = .en
        } else {
            return nil
        }
    }

    /// The preferred supported language of an Accept-Language header, by q-value.
    public static func negotiate(acceptLanguage header: String) -> SiteLocale? {
        let ranked = header.split(separator: ",").enumerated().compactMap { index, part -> (Double, Int, SiteLocale)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first, let locale = SiteLocale(tag: tag) else { return nil }
            let q = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return q > 0 ? (q, index, locale) : nil
        }
        return ranked.sorted { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }.first?.2
    }
}
