/// Whose a consent document is, read from its code: `TPML_PRIVACY`, `NTPL_LINK`, `NLPI_GROUP_PRIVACY` start
/// with a member library's code and are that library's (a `*_LINK` text is the partner's own statement, so the
/// partner library publishes it); the rest (`TAIPEI_CITY_ID`, the `OIDC_*` sign-in consents) are the
/// consortium's. A library's administrator publishes its library's texts, the consortium administrator the
/// consortium's, and neither the other's (issue #14 item 6).
enum ConsentDocumentOwner: Equatable, Sendable {
    case library(String)
    case consortium

    init(code: String, libraryCodes: Set<String>) {
        let prefix = code.split(separator: "_", maxSplits: 1).first.map(String.init) ?? ""
        self = libraryCodes.contains(prefix) ? .library(prefix) : .consortium
    }

    /// Whether `staff` (loaded with its library) may draft and publish this owner's documents.
    func admits(_ staff: StaffMember) -> Bool {
        switch self {
        case .library(let code): staff.role == .admin && staff.library.code == code
        case .consortium: staff.role == .consortiumAdmin
        }
    }
}
