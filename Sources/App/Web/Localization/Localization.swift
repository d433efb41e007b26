import Foundation
import Vapor

/// The languages the site speaks: Traditional Chinese first, English second.
public enum SiteLocale: String, Sendable, CaseIterable, Codable {
    case zhTW = "zh-TW"
    case en = "en"

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

/// User-facing text, loaded from `Resources/Localization/<locale>.json`. Placeholders are `{name}`.
public struct Localizer: Sendable {
    private let tables: [SiteLocale: [String: String]]

    public init(tables: [SiteLocale: [String: String]]) {
        self.tables = tables
    }

    public static func load(from directory: String) throws -> Localizer {
        var tables: [SiteLocale: [String: String]] = [:]
        for locale in SiteLocale.allCases {
            let path = (directory as NSString).appendingPathComponent("\(locale.rawValue).json")
            guard let data = FileManager.default.contents(atPath: path) else {
                throw Abort(.internalServerError, reason: "missing localization file \(path)")
            }
            tables[locale] = try JSONDecoder().decode([String: String].self, from: data)
        }
        return Localizer(tables: tables)
    }

    public func keys(for locale: SiteLocale) -> Set<String> { Set(tables[locale, default: [:]].keys) }

    /// The text for `key`; falls back to zh-TW, then to the key itself so a gap is visible, never blank.
    public func text(_ key: String, _ locale: SiteLocale, _ values: [String: String] = [:]) -> String {
        let text = tables[locale]?[key] ?? tables[.zhTW]?[key] ?? key
        return values.isEmpty ? text : Self.fill(text, values)
    }

    /// Replaces each `{name}` whose name is in `values`, in one pass over the UTF-8 (Foundation's
    /// `replacingOccurrences` is slow on Chinese text, and a batch of group cards renders thousands of
    /// emails); a value is inserted as it is, never searched for placeholders itself.
    static func fill(_ template: String, _ values: [String: String]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(template.utf8.count + values.values.reduce(0) { $0 + $1.utf8.count })
        var bytes = template.utf8[...]
        while let open = bytes.firstIndex(of: UInt8(ascii: "{")) {
            output.append(contentsOf: bytes[..<open])
            let rest = bytes[bytes.index(after: open)...]
            if let close = rest.firstIndex(of: UInt8(ascii: "}")),
               let value = values[String(decoding: rest[..<close], as: UTF8.self)] {
                output.append(contentsOf: value.utf8)
                bytes = rest[rest.index(after: close)...]
            } else {
                output.append(UInt8(ascii: "{"))
                bytes = rest
            }
        }
        output.append(contentsOf: bytes)
        return String(decoding: output, as: UTF8.self)
    }
}

extension Application {
    private struct LocalizerKey: StorageKey { typealias Value = Localizer }

    public var localizer: Localizer {
        get { storage[LocalizerKey.self]! }
        set { storage[LocalizerKey.self] = newValue }
    }
}

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
