import Fluent

/// The libraries a system may belong to, as the forms offer them: the consortium administrator chooses
/// among every library; a library administrator is offered none, their own being the only one allowed.
enum SystemsLibraries {
    static func options(scope: SystemsScope, chosen: String?, locale: SiteLocale, database: any Database) async throws -> [SystemsOption] {
        guard scope.isConsortiumWide else { return [] }
        return try await Library.query(on: database).sort(\.$position).all().map {
            SystemsOption(value: $0.code, label: "\($0.code) \($0.name(in: locale))", checked: $0.code == chosen)
        }
    }

    /// The library a new system belongs to: the administrator's own, or the consortium administrator's choice.
    static func code(for staff: StaffMember, scope: SystemsScope, chosen: String?) -> String {
        scope.isConsortiumWide ? (chosen ?? "") : staff.library.code
    }
}
