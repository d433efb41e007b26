import Foundation

/// The back office home: who is signed in, and the rooms their role opens.
enum StaffHomePage {
    /// What `staff/home` shows.
    struct Model: Encodable {
        let email: String
        let roleKey: String
        let library: String
        let isAdmin: Bool
        let canDecideRequests: Bool
        let reviewsDigitalCards: Bool
        let canReviewGroups: Bool
        let worksAtDesk: Bool
        let managesOIDCClients: Bool

        /// The home of `staff` (loaded with its library) in `locale`. Each link is shown to the roles its
        /// room lets in, so nobody is offered a page that would refuse them.
        init(_ staff: StaffMember, locale: SiteLocale) {
            email = staff.email
            roleKey = "staff.role.\(staff.role.rawValue)"
            library = staff.library.name(in: locale)
            isAdmin = staff.role == .admin
            canDecideRequests = staff.role == .desk || staff.role == .admin
            reviewsDigitalCards = staff.role != .desk && staff.library.code == DigitalCardService.libraryCode
            canReviewGroups = GroupReviewController.roles.contains(staff.role)
            worksAtDesk = staff.role != .consortiumAdmin
            managesOIDCClients = OIDCClientsController.roles.contains(staff.role)
        }
    }
}
