/// A consent document's words in both languages, as a draft holds them and a version publishes them.
struct ConsentText: Equatable, Sendable {
    var titleZH: String
    var titleEN: String
    var bodyZH: String
    var bodyEN: String

    /// Each part trimmed, with Windows line ends made plain (a textarea sends CR LF).
    var normalized: ConsentText {
        func clean(_ text: String) -> String {
            text.replacingOccurrences(of: "\r\n", with: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return ConsentText(titleZH: clean(titleZH), titleEN: clean(titleEN), bodyZH: clean(bodyZH), bodyEN: clean(bodyEN))
    }
}
