/// `staff/api-clients.leaf`: the API clients of the administrator's library (every library's for the
/// consortium administrator), the form for a new one, and a new client's token, shown once.
struct APIClientsPage: Encodable {
    struct Row: Encodable {
        let name: String
        let library: String
        let scopes: String
        let alternateIdentifiers: Bool
        /// "any", or the addresses.
        let allow: String
        let disabled: Bool
        let path: String
    }

    /// A token just made: its only showing.
    struct NewToken: Encodable {
        let name: String
        let token: String
    }

    let rows: [Row]
    /// Offered only to the consortium administrator; a library administrator's clients are their library's.
    let libraries: [SystemsOption]
    let scopes: [SystemsOption]
    var form = FormState()
    var newToken: NewToken? = nil
}
