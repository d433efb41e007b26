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
        let disablePath: String
        let secretPath: String
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
    var form = FormState()
    var newSecret: NewSecret? = nil
    var disabled: String? = nil
}
