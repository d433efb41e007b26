import Foundation

/// Whose partner system, API clients and SIP2 accounts a staff member administers (issue #14 item 6): a
/// library administrator their own library's; the consortium administrator every library's. Anything
/// outside the scope is "not found", so an administrator cannot learn what another library runs.
struct SystemsScope: Sendable {
    /// Who may open the pages at all; what each sees is then the scope.
    static let roles: Set<StaffMember.Role> = [.admin, .consortiumAdmin]

    /// Nil: every library.
    let libraryID: UUID?

    init(staff: StaffMember) {
        libraryID = staff.role == .consortiumAdmin ? nil : staff.$library.id
    }

    var isConsortiumWide: Bool { libraryID == nil }

    func admits(_ library: UUID) -> Bool {
        libraryID.map { $0 == library } ?? true
    }
}
