import Foundation

/// The countries a passport can come from (ISO 3166-1), named in the reader's language, as the card
/// application offers them for 護照核發國家. Read once from `Resources/countries.json`, which
/// `scripts/make-countries` generates from Debian's iso-codes (with Taiwan's usual names) and which is
/// committed, so nothing outside the repository is needed at run time.
struct PassportCountries: Sendable {
    struct Country: Decodable, Sendable {
        /// ISO 3166-1 alpha-3, what the application stores and the API takes.
        let code: String
        let en: String
        let zhTW: String

        func name(in locale: SiteLocale) -> String { locale.choose(zhTW: zhTW, en: en) }
    }

    /// One `<option>` of the form's list.
    struct Option: Encodable {
        let code: String
        let name: String
        let selected: Bool
    }

    private struct File: Decodable {
        let countries: [Country]
        let order: [String: [String]]
    }

    let codes: Set<String>
    private let byCode: [String: Country]
    private let order: [SiteLocale: [String]]

    static let all: PassportCountries = {
        do {
            return try load(from: Resources.path("countries.json"))
        } catch {
            fatalError("Resources/countries.json is unreadable (\(error)); regenerate it with scripts/make-countries")
        }
    }()

    static func load(from path: String) throws -> PassportCountries {
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        let byCode = Dictionary(uniqueKeysWithValues: file.countries.map { ($0.code, $0) })
        var order: [SiteLocale: [String]] = [:]
        for locale in SiteLocale.allCases {
            order[locale] = file.order[locale.rawValue] ?? file.countries.map(\.code)
        }
        return PassportCountries(codes: Set(byCode.keys), byCode: byCode, order: order)
    }

    func name(of code: String, in locale: SiteLocale) -> String? { byCode[code]?.name(in: locale) }

    /// Every country, named and sorted for `locale` (English alphabetically, zh-TW by stroke count), with
    /// `chosen` marked so a form shown again after an error keeps the choice.
    func options(in locale: SiteLocale, chosen: String?) -> [Option] {
        let chosen = chosen.map { $0.trimmingCharacters(in: .whitespaces).uppercased() }
        return (order[locale] ?? []).compactMap { code in
            byCode[code].map { Option(code: code, name: $0.name(in: locale), selected: code == chosen) }
        }
    }
}
