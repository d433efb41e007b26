/// `staff/sip2-accounts.leaf`: the SIP2 accounts of the administrator's library (every library's for the
/// consortium administrator), the form for a new one, and a new account's password, shown once.
struct SIP2AccountsPage: Encodable {
    struct Row: Encodable {
        let user: String
        let library: String
        let institution: String
        /// "any", or the addresses.
        let allow: String
        let personalData: Bool
        let alternateIDs: Bool
        let disabled: Bool
        let path: String
    }

    /// A password just made: its only showing.
    struct NewPassword: Encodable {
        let user: String
        let password: String
    }

    let rows: [Row]
    /// Offered only to the consortium administrator.
    let libraries: [SystemsOption]
    let encodings: [SystemsOption]
    var form = FormState()
    var newPassword: NewPassword? = nil
}
