import Foundation

extension Localizer {
    /// The consent documents named for a person, by their titles in `locale` (「甲」及「乙」, “A” and “B”):
    /// what a message that asks for them says. Their codes (`TPML_PRIVACY` …) are the API's words, never a
    /// person's.
    func consentTitles(_ documents: [ConsentDocument], in locale: SiteLocale) -> String {
        let titles = documents.map { text("consent.titles.quoted", locale, ["title": $0.title(in: locale)]) }
        guard let last = titles.last else { return "" }
        guard titles.count > 1 else { return last }
        return titles.dropLast().joined(separator: text("consent.titles.separator", locale))
            + text("consent.titles.and", locale) + last
    }
}
