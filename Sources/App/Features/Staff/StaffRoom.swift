/// The rooms of the back office and who may enter each, in one place for the staff navigation and the
/// work dashboard, so nobody is offered a page that would refuse them (issue #14 item 1).
///
/// Each room asks the controller that guards it for its roles, so a new role (a consortium
/// administrator) is added to a controller's `roles` and appears in the navigation with no change here.
enum StaffRoom: String, CaseIterable, Sendable {
    case home
    case patrons
    case deskApplications
    case digitalCards
    case group
    case requests
    case deliveries
    case audit
    case calendar
    case oidcClients
    case reports

    /// The page the navigation links to.
    var url: SiteURL {
        switch self {
        case .home: .staffHome
        case .patrons: .staffPatrons
        case .deskApplications: .deskApplications
        case .digitalCards: .staffDigitalCards
        case .group: .staffGroup
        case .requests: .staffRequests
        case .deliveries: .staffDeliveries
        case .audit: .staffAudit
        case .calendar: .staffCalendar
        case .oidcClients: .staffOIDCClients
        case .reports: .staffReports
        }
    }

    /// Whether `staff` (loaded with its library) may open the room.
    func isOpen(to staff: StaffMember) -> Bool {
        switch self {
        case .home: true
        case .patrons: PatronRecordController.roles.contains(staff.role)
        case .deskApplications: DeskController.roles.contains(staff.role)
        // Digital cards are issued and reviewed by one library (國資圖); others have no queue.
        case .digitalCards:
            DigitalCardReviewController.roles.contains(staff.role) && staff.library.code == DigitalCardService.libraryCode
        case .group: GroupReviewController.roles.contains(staff.role)
        case .requests: PatronRequestsController.roles.contains(staff.role)
        case .deliveries: PartnerDeliveriesController.roles.contains(staff.role)
        case .audit: StaffController.auditRoles.contains(staff.role)
        case .calendar: LibraryCalendarController.roles.contains(staff.role)
        case .oidcClients: OIDCClientsController.roles.contains(staff.role)
        case .reports: ReportsController.roles.contains(staff.role)
        }
    }
}
