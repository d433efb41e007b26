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
    /// Partner systems, API clients and SIP2 accounts (issue #14 item 6): one room in the navigation, with its
    /// own links between the three pages, so the administrator's navigation stays two rows at desktop width.
    case systems
    case library
    case libraries
    case accounts
    case consents
    case reports

    /// The two parts of the staff navigation: the queues people work through every day, and the rooms where
    /// administrators run the library and the consortium. Two labelled navigation rows keep an administrator's
    /// dozen rooms readable at desktop width, and each row wraps on a phone.
    enum Section: String, Sendable {
        case work
        case administration
    }

    var section: Section {
        switch self {
        case .home, .patrons, .deskApplications, .digitalCards, .group, .requests, .deliveries: .work
        case .audit, .calendar, .oidcClients, .systems, .library, .libraries, .accounts, .consents, .reports: .administration
        }
    }

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
        case .systems: .staffPartnerSystems
        case .library: .staffLibrary
        case .libraries: .staffLibraries
        case .accounts: .staffAccounts
        case .consents: .staffConsents
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
        case .audit: AuditTrailController.roles.contains(staff.role)
        case .calendar: LibraryCalendarController.roles.contains(staff.role)
        case .oidcClients: OIDCClientsController.roles.contains(staff.role)
        case .systems: SystemsScope.roles.contains(staff.role)
        case .library: LibraryAdministrationController.roles.contains(staff.role)
        case .libraries: ConsortiumLibrariesController.roles.contains(staff.role)
        case .accounts: StaffAccountsController.roles.contains(staff.role)
        case .consents: ConsentDocumentsController.roles.contains(staff.role)
        case .reports: ReportsController.roles.contains(staff.role)
        }
    }
}
