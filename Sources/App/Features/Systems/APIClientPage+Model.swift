/// `staff/api-client.leaf`: one API client: its scopes, accepted identifiers and allowed addresses to
/// change, a new token (shown once), and disabling.
struct APIClientPage: Encodable {
    let name: String
    let library: String
    let disabled: Bool
    let scopes: [SystemsOption]
    var form = FormState()
    /// Its only showing.
    var newToken: String? = nil
    var saved = false
    let updatePath: String
    let disablePath: String
    let tokenPath: String
}
