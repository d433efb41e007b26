/// `staff/sip2-account.leaf`: one SIP2 account: allowed addresses, encoding and options to change, a new
/// password (shown once), and disabling or enabling it.
struct SIP2AccountPage: Encodable {
    let user: String
    let library: String
    let institution: String
    let disabled: Bool
    let encodings: [SystemsOption]
    var form = FormState()
    /// Its only showing.
    var newPassword: String? = nil
    var saved = false
    let updatePath: String
    let disablePath: String
    let enablePath: String
    let passwordPath: String

    static func encodingOptions(chosen: String?) -> [SystemsOption] {
        SIP2Accounts.encodings.map { SystemsOption(value: $0, label: $0, checked: $0 == (chosen ?? "utf8")) }
    }
}
