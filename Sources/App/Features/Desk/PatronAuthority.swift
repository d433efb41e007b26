import Fluent
import Foundation

/// What a library's staff may do with a patron, in one place for every desk action and the pages that
/// offer them (issue #12 item 12).
///
/// Seeing is shared: the patron's home library (whose card or application it is) and every library
/// they linked, or their application ticked, may look them up and see the card's status — the opt-in
/// boundary of `PatronVisibility`. Changing the record is the home library's alone: desk activation
/// of an online application, the upgrade to a physical card, 停權/復權, 有效期限, deciding the reader's
/// requests. The seed sends an online applicant "至所屬任一閱覽單位服務臺" — to any service desk of
/// their own library — and the home library answers for the card under its rules and its personal-data
/// notice; a partner library that could change it would act on a record it does not keep. OneCard has
/// no consortium-wide role: an administrator is one library's, with the same rule.
enum PatronAuthority {
    /// The home library and the libraries the patron linked (not withdrawn).
    static func maySee(_ patron: Patron, staff: StaffMember, on database: any Database) async throws -> Bool {
        try await PatronVisibility.isVisible(patron, toLibrary: staff.$library.id, on: database)
    }

    /// The home library's staff only.
    static func mayChange(_ patron: Patron, staff: StaffMember) -> Bool {
        patron.$library.id == staff.$library.id
    }

    /// Throws `DeskError.notHomeLibrary` unless `staff` may change `patron`'s record.
    static func requireChange(_ patron: Patron, staff: StaffMember) throws {
        guard mayChange(patron, staff: staff) else { throw DeskError.notHomeLibrary }
    }
}
