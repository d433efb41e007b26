import Foundation

/// What an administrator fills in for a new relying party, on the web or on the command line.
struct OIDCClientRegistration: Sendable {
    var clientID: String
    var name: String
    var homePage: String
    var redirectURIs: [String]
    var scopes: [String]
    var libraryCodes: [String]
    var allDigitalCards: Bool
    var confidential: Bool
    /// A resource server's client: may introspect every client's tokens.
    var introspectsAnyToken = false
    /// `ES256` or `RS256`, as the administrator typed or chose it; checked by `OIDCClients`.
    var idTokenAlgorithm = OIDCSigningAlgorithm.es256.rawValue
}
