import Vapor

/// The site's paths, used both to register routes and to build links, so a renamed path cannot leave a
/// dead link behind.
enum SiteURL: Sendable {
    case home
    case service(Service)
    case staffSignIn
    case staffSignOut
    case staffHome
    case staffSetPassword
    case staffAudit
    case healthz
    case metrics
    case openAPI
    case apiLibraries
    case apiLibrary(code: String)
    case apiCardApplications
    case apiPartnerPatron(code: String, cardNumber: String)
    case applicationForm
    case applicationCaptcha
    case applicationDone
    case deskApplications
    case readerSignOut
    case account
    case forgotPassword
    case resetPassword
    case accountData
    case accountPartners
    case accountPartner(code: String)
    case accountPartnerDone(code: String)
    case accountPartnerDisable(code: String)
    case deskApplication(id: String)
    case deskActivate(id: String)
    case staffDeliveries
    case digitalCardForm
    case digitalCardCertificate
    case digitalCardDone
    case digitalCardCorrection
    case staffDigitalCards
    case staffDigitalCard(id: String)
    case staffDigitalCardFile(id: String, file: String)
    case deskUpgrade(id: String)
    // A card's standing at the desk: 停權, 復權, 有效期限.
    case deskSuspend(id: String)
    case deskReinstate(id: String)
    case deskValidUntil(id: String)
    case myHome
    case accountCard
    case accountCardImage(CardImage)
    case accountPassword
    case accountContact
    case accountRequest(kind: String)
    case accountConsentWithdraw(id: String)
    case staffRequests
    case staffRequestDecision(id: String)
    case staffDeliveryRetry(id: Int)
    case staffCalendar
    case staffCalendarReopen(day: String)
    case taipeiPassSignIn
    case taipeiPassCallback
    // 集體辦證: the organization's application, its contact's pages, the reviewers' queue, the card holders' activation.
    case groupApplicationForm
    case groupApplicationDone
    case groupTemplate(TemplateFormat)
    case groupContact
    case groupContactSignIn
    case groupContactSignOut
    case groupContactHome
    case groupContactNewBatch
    case groupContactUpload(id: String)
    case groupContactUploadReturned(id: String)
    case groupContactBatch(id: String)
    case groupContactBatchSummary(id: String)
    case staffGroup
    case staffGroupApplication(id: String)
    case staffGroupApplicationDecision(id: String)
    case staffGroupApplicationContact(id: String)
    case staffGroupDocument(id: String)
    case staffGroupBatch(id: String)
    case staffGroupBatchDecision(id: String)
    case staffGroupBatchSummary(id: String)
    case activateCard

    /// The pictures of the mobile card.
    enum CardImage: String, Sendable {
        case code128 = "code128.png"
        case qr = "qr.png"
    }

    /// The reader data file template's formats.
    enum TemplateFormat: String, Sendable, CaseIterable {
        case xlsx = "template.xlsx"
        case ods = "template.ods"
    }

    /// The services the home page leads to.
    enum Service: String, CaseIterable, Sendable {
        case cardApplication = "apply"
        case digitalCard = "digital-card"
        case groupApplication = "group-application"
        case signIn = "login"
    }

    var pathComponents: [PathComponent] {
        switch self {
        case .home: []
        case .service(let service): [.constant(service.rawValue)]
        case .staffSignIn: ["staff", "login"]
        case .staffSignOut: ["staff", "logout"]
        case .staffHome: ["staff"]
        case .staffSetPassword: ["staff", "password"]
        case .staffAudit: ["staff", "audit"]
        case .healthz: ["healthz"]
        case .metrics: ["metrics"]
        case .openAPI: ["api", "openapi.json"]
        case .apiLibraries: ["api", "v1", "libraries"]
        case .apiLibrary: ["api", "v1", "libraries", ":code"]
        case .apiCardApplications: ["api", "v1", "card-applications"]
        case .apiPartnerPatron: ["api", "v1", "partners", ":code", "patrons", ":cardNumber"]
        case .applicationForm: ["apply", "form"]
        case .applicationCaptcha: ["apply", "captcha.png"]
        case .applicationDone: ["apply", "done"]
        case .deskApplications: ["staff", "applications"]
        case .readerSignOut: ["logout"]
        case .account: ["account"]
        case .forgotPassword: ["login", "forgot"]
        case .resetPassword: ["login", "reset"]
        case .accountData: ["account", "my-data.json"]
        case .accountPartners: ["account", "partners"]
        case .accountPartner: ["account", "partners", ":code"]
        case .accountPartnerDone: ["account", "partners", ":code", "done"]
        case .accountPartnerDisable: ["account", "partners", ":code", "disable"]
        case .deskApplication: ["staff", "applications", ":id"]
        case .deskActivate: ["staff", "applications", ":id", "activate"]
        case .staffDeliveries: ["staff", "deliveries"]
        case .digitalCardForm: ["digital-card", "form"]
        case .digitalCardCertificate: ["digital-card", "certificate"]
        case .digitalCardDone: ["digital-card", "done"]
        case .digitalCardCorrection: ["digital-card", "correction"]
        case .staffDigitalCards: ["staff", "digital-cards"]
        case .staffDigitalCard: ["staff", "digital-cards", ":id"]
        case .staffDigitalCardFile: ["staff", "digital-cards", ":id", "files", ":file"]
        case .deskUpgrade: ["staff", "applications", ":id", "upgrade"]
        case .deskSuspend: ["staff", "applications", ":id", "suspend"]
        case .deskReinstate: ["staff", "applications", ":id", "reinstate"]
        case .deskValidUntil: ["staff", "applications", ":id", "valid-until"]
        case .myHome: ["account", "home"]
        case .accountCard: ["account", "card"]
        case .accountCardImage(let image): ["account", "card", .constant(image.rawValue)]
        case .accountPassword: ["account", "password"]
        case .accountContact: ["account", "contact"]
        case .accountRequest: ["account", "requests", ":kind"]
        case .accountConsentWithdraw: ["account", "consents", ":id", "withdraw"]
        case .staffRequests: ["staff", "requests"]
        case .staffRequestDecision: ["staff", "requests", ":id"]
        case .staffDeliveryRetry: ["staff", "deliveries", ":id", "retry"]
        case .staffCalendar: ["staff", "calendar"]
        case .staffCalendarReopen: ["staff", "calendar", ":day", "reopen"]
        case .taipeiPassSignIn: ["login", "taipei-pass"]
        case .taipeiPassCallback: ["login", "taipei-pass", "callback"]
        case .groupApplicationForm: ["group-application", "apply"]
        case .groupApplicationDone: ["group-application", "submitted"]
        case .groupTemplate(let format): ["group-application", .constant(format.rawValue)]
        case .groupContact: ["group-application", "contact"]
        case .groupContactSignIn: ["group-application", "contact", "sign-in"]
        case .groupContactSignOut: ["group-application", "contact", "sign-out"]
        case .groupContactHome: ["group-application", "contact", "home"]
        case .groupContactNewBatch: ["group-application", "contact", "batches", "new"]
        case .groupContactUpload: ["group-application", "contact", "uploads", ":id"]
        case .groupContactUploadReturned: ["group-application", "contact", "uploads", ":id", "returned.xlsx"]
        case .groupContactBatch: ["group-application", "contact", "batches", ":id"]
        case .groupContactBatchSummary: ["group-application", "contact", "batches", ":id", "summary.xlsx"]
        case .staffGroup: ["staff", "group"]
        case .staffGroupApplication: ["staff", "group", "applications", ":id"]
        case .staffGroupApplicationDecision: ["staff", "group", "applications", ":id", "decision"]
        case .staffGroupApplicationContact: ["staff", "group", "applications", ":id", "contact"]
        case .staffGroupDocument: ["staff", "group", "documents", ":id"]
        case .staffGroupBatch: ["staff", "group", "batches", ":id"]
        case .staffGroupBatchDecision: ["staff", "group", "batches", ":id", "decision"]
        case .staffGroupBatchSummary: ["staff", "group", "batches", ":id", "summary.xlsx"]
        case .activateCard: ["login", "activate"]
        }
    }

    /// The path for a link; parameters filled in.
    var path: String {
        switch self {
        case .apiLibrary(let code):
            "/api/v1/libraries/\(code.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? code)"
        case .apiPartnerPatron(let code, let cardNumber):
            "/api/v1/partners/\(code)/patrons/\(cardNumber)"
        case .accountPartner(let code):
            "/account/partners/\(code)"
        case .accountPartnerDone(let code):
            "/account/partners/\(code)/done"
        case .accountPartnerDisable(let code):
            "/account/partners/\(code)/disable"
        case .deskApplication(let id):
            "/staff/applications/\(id)"
        case .deskActivate(let id):
            "/staff/applications/\(id)/activate"
        case .accountRequest(let kind):
            "/account/requests/\(kind)"
        case .accountConsentWithdraw(let id):
            "/account/consents/\(id)/withdraw"
        case .staffRequestDecision(let id):
            "/staff/requests/\(id)"
        case .staffDigitalCard(let id):
            "/staff/digital-cards/\(id)"
        case .staffDigitalCardFile(let id, let file):
            "/staff/digital-cards/\(id)/files/\(file)"
        case .deskUpgrade(let id):
            "/staff/applications/\(id)/upgrade"
        case .deskSuspend(let id):
            "/staff/applications/\(id)/suspend"
        case .deskReinstate(let id):
            "/staff/applications/\(id)/reinstate"
        case .deskValidUntil(let id):
            "/staff/applications/\(id)/valid-until"
        case .staffDeliveryRetry(let id):
            "/staff/deliveries/\(id)/retry"
        case .staffCalendarReopen(let day):
            "/staff/calendar/\(day)/reopen"
        case .groupContactUpload(let id):
            "/group-application/contact/uploads/\(id)"
        case .groupContactUploadReturned(let id):
            "/group-application/contact/uploads/\(id)/returned.xlsx"
        case .groupContactBatch(let id):
            "/group-application/contact/batches/\(id)"
        case .groupContactBatchSummary(let id):
            "/group-application/contact/batches/\(id)/summary.xlsx"
        case .staffGroupApplication(let id):
            "/staff/group/applications/\(id)"
        case .staffGroupApplicationDecision(let id):
            "/staff/group/applications/\(id)/decision"
        case .staffGroupApplicationContact(let id):
            "/staff/group/applications/\(id)/contact"
        case .staffGroupDocument(let id):
            "/staff/group/documents/\(id)"
        case .staffGroupBatch(let id):
            "/staff/group/batches/\(id)"
        case .staffGroupBatchDecision(let id):
            "/staff/group/batches/\(id)/decision"
        case .staffGroupBatchSummary(let id):
            "/staff/group/batches/\(id)/summary.xlsx"
        default:
            "/" + pathComponents.map(\.description).joined(separator: "/")
        }
    }
}
