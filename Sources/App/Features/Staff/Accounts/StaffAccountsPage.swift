/// `/staff/accounts`: the library's staff accounts, the invitation form, and what was just done.
struct StaffAccountsPage: Encodable {
    struct Row: Encodable {
        let id: String
        let email: String
        let library: String
        let role: String
        let roleName: String
        /// active, disabled, or invited (no password set yet).
        let status: String
        let statusName: String
        let secondFactor: Bool
        let lastSignIn: String?
        /// False for the administrator's own row: no actions on it.
        let actionable: Bool
        /// A disabled account this administrator may enable again (never their own).
        let enablable: Bool
        let rolePath: String
        let disablePath: String
        let enablePath: String
        let passwordLinkPath: String
        let secondFactorResetPath: String
    }

    struct Option: Encodable {
        let value: String
        let label: String
        let selected: Bool
    }

    let rows: [Row]
    let roles: [Option]
    /// Only for the consortium administrator, who invites into any library.
    let libraries: [Option]?
    var form = FormState()
    /// What the last action did, in words.
    var notice: String? = nil
}
