/// `/staff/oidc/clients`: the registered relying parties, the form for a new one, and a secret shown once.
struct OIDCClientsPage: Encodable {
    struct Row: Encodable {
        let clientID: String
        let name: String
        let confidential: Bool
        let disabled: Bool
        let scopes: String
        let readers: String
        let redirectURIs: [String]
        let idTokenAlgorithm: String
        let introspectsAnyToken: Bool
        let disablePath: String
        let secretPath: String
        let settingsPath: String
    }

    struct Option: Encodable {
        let value: String
        let label: String
        let checked: Bool
    }

    /// A secret just made: its only showing.
    struct NewSecret: Encodable {
        let clientID: String
        let secret: String?
    }

    let rows: [Row]
    let libraries: [Option]
    let scopes: [Option]
    /// `ES256`, `RS256`: the choices of the ID token signature.
    let algorithms: [String]
    var form = FormState()
    var newSecret: NewSecret? = nil
    var disabled: String? = nil
    /// A client whose settings were just saved.
    var changed: String? = nil
}
