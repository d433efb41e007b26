/// What a relying party may ask for, and what each scope gives it. There is no scope for an ID number:
/// OneCard never hands one to a vendor.
enum OIDCScope: String, CaseIterable, Sendable {
    case openid
    /// `name`.
    case profile
    /// `email`.
    case email
    /// `card`: kind (digital or physical), standing, valid-until and home library.
    case card
    /// `age_over_18` and `age_bracket`, never the birth date.
    case age
    /// `birthdate`: only when a client is registered for it and asks for it explicitly.
    case birthdate

    /// The consent screen's line for this scope (`oidc.scope.<scope>`).
    var messageKey: String { "oidc.scope.\(rawValue)" }

    /// The known scopes of a space-separated list, in the order of `allCases`, unknown words dropped.
    static func parse(_ text: String) -> [OIDCScope] {
        let words = Set(text.split(separator: " ").map(String.init))
        return allCases.filter { words.contains($0.rawValue) }
    }
}
