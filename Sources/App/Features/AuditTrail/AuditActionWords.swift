/// The words of an audit action, one shared set of keys (`audit.action.<code>`) for the audit trail, its
/// download and the patron record's history (issue #14 item 5). `AuditActionWordsTests` scans the sources
/// for every code the app writes and fails when one has no words in either language.
enum AuditActionWords {
    static let keyPrefix = "audit.action."

    static func key(_ code: String) -> String { keyPrefix + code }

    /// The words for `code`, or the code itself for one no table names (an entry written by an older version).
    static func words(_ code: String, localizer: Localizer, locale: SiteLocale) -> String {
        localizer.textIfPresent(key(code), locale) ?? code
    }

    /// Every code that has words, in code order so related actions sit together: what the filter offers.
    static func codes(localizer: Localizer) -> [String] {
        localizer.keys(for: .zhTW).filter { $0.hasPrefix(keyPrefix) }.map { String($0.dropFirst(keyPrefix.count)) }.sorted()
    }
}
