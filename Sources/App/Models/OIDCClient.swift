import Fluent
import Foundation

/// A relying party of OneCard's OpenID Connect provider: an e-resource platform that lets readers sign
/// in with their OneCard. Registered by a consortium administrator (`/staff/oidc/clients`, `onecard oidc client`).
final class OIDCClient: Model, @unchecked Sendable {
    static let schema = "oidc_clients"

    @ID(key: .id) var id: UUID?
    /// The public `client_id`; unique.
    @Field(key: "client_id") var clientID: String
    @Field(key: "name") var name: String
    /// Shown on the consent screen beside the name.
    @Field(key: "home_page") var homePage: String
    /// Exact redirect URIs, one per line: compared character for character, never by prefix.
    @Field(key: "redirect_uris") var redirectURIsText: String
    /// Scopes it may ask for, space-separated (`openid` always among them).
    @Field(key: "scopes") var scopesText: String
    /// Codes of the libraries whose card holders (physical or digital) may use it, space-separated.
    @Field(key: "library_codes") var libraryCodesText: String
    /// Every digital card of the consortium may use it too, whatever its library.
    @Field(key: "all_digital_cards") var allDigitalCards: Bool
    /// SHA-256 of the client secret (256 random bits, shown once); nil for a public client, which must use PKCE S256.
    @OptionalField(key: "secret_hash") var secretHash: String?
    /// The consent document (`OIDC_<client_id>`) whose versions readers agree to.
    @Field(key: "consent_code") var consentCode: String
    /// May introspect any client's tokens (a resource server), not only its own.
    @Field(key: "introspects_any_token") var introspectsAnyToken: Bool
    /// How its ID tokens are signed: `ES256` (the default) or `RS256`.
    @Enum(key: "id_token_signed_response_alg") var idTokenAlgorithm: OIDCSigningAlgorithm
    @OptionalField(key: "disabled_at") var disabledAt: Date?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var isConfidential: Bool { secretHash != nil }
    var redirectURIs: [String] { redirectURIsText.split(separator: "\n").map(String.init) }
    var scopes: Set<String> { Set(scopesText.split(separator: " ").map(String.init)) }
    var libraryCodes: [String] { libraryCodesText.split(separator: " ").map(String.init) }

    /// May a holder of this card use the client?
    func admits(cardKind: Patron.CardKind, libraryCode: String) -> Bool {
        (allDigitalCards && cardKind == .digital) || libraryCodes.contains(libraryCode)
    }
}
