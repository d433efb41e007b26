import Foundation
import Vapor

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

    /// Whether `locale`'s own table has `key` (no fallback): one lookup, where `keys(for:)` builds a set of them all.
    public func has(_ key: String, in locale: SiteLocale) -> Bool { tables[locale]?[key] != nil }

    /// The text for `key`; falls back to zh-TW, then to the key itself so a gap is visible, never blank.
    public func text(_ key: String, _ locale: SiteLocale, _ values: [String: String] = [:]) -> String {
        let text = tables[locale]?[key] ?? tables[.zhTW]?[key] ?? key
        return values.isEmpty ? text : Self.fill(text, values)
    }

    /// The text for `key` when either table has it (falling back to zh-TW as `text` does), else nil:
    /// for optional parts, such as an email's button text, whose absence means "none".
    public func textIfPresent(_ key: String, _ locale: SiteLocale) -> String? {
        tables[locale]?[key] ?? tables[.zhTW]?[key]
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
