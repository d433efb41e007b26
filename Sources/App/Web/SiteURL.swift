import Vapor

/// The site's paths, used both to register routes and to build links, so a renamed path cannot leave a
/// dead link behind.
///
/// Each case's path is written once, in `segments`. A route is registered with its parameters as keys
/// (`routes.get(.deskApplication(id: .key))`) and a link is built with values
/// (`SiteURL.deskApplication(id: .value(patron.id!)).path`), as in the Swift Package Index's `SiteURL`.
/// `SiteURLTests` walks every case.
enum SiteURL: Sendable {
    case home
    case service(Service)
    case staffSignIn
    case staffSignOut
    case staffHome
    case staffSetPassword
    case staffAudit
    /// The audit trail as a file, filtered as the page's query says (issue #14 item 5).
    case staffAuditExport(AuditExportFormat)
    case healthz
    case metrics
    case openAPI
    case apiLibraries
    case apiLibrary(code: Parameter<String>)
    case apiCardApplications
    case apiPartnerPatron(code: Parameter<String>, cardNumber: Parameter<String>)
    case apiPatronAuthentication
    /// OneCard as an EZproxy host's login (issue #15 item 3): EZproxy's `::CGI=` line names it.
    case ezproxyLogin(host: Parameter<String>)
    case applicationForm
    case applicationCaptcha
    case applicationDone
    case deskApplications
    case readerSignOut
    case account
    case forgotPassword
    case resetPassword
    case accountData
    /// 下載我的資料 as a page to read, print or save (issue #17 item 8), beside the JSON file.
    case accountDataPage
    case accountPartners
    case accountPartner(code: Parameter<String>)
    case accountPartnerDone(code: Parameter<String>)
    case accountPartnerDisable(code: Parameter<String>)
    case deskApplication(id: Parameter<UUID>)
    case deskActivate(id: Parameter<UUID>)
    case staffDeliveries
    case digitalCardForm
    case digitalCardCertificate
    case digitalCardDone
    case digitalCardCorrection
    case staffDigitalCards
    case staffDigitalCard(id: Parameter<UUID>)
    case staffDigitalCardFile(id: Parameter<UUID>, file: Parameter<UUID>)
    case deskUpgrade(id: Parameter<UUID>)
    // A card's standing at the desk: 停權, 復權, 有效期限.
    case deskSuspend(id: Parameter<UUID>)
    case deskReinstate(id: Parameter<UUID>)
    case deskValidUntil(id: Parameter<UUID>)
    case myHome
    case accountCard
    case accountCardImage(CardImage)
    case accountPassword
    case accountContact
    case accountRequest(kind: Parameter<String>)
    case accountConsentWithdraw(id: Parameter<UUID>)
    case staffRequests
    case staffRequestDecision(id: Parameter<UUID>)
    case staffDeliveryRetry(id: Parameter<Int>)
    case staffCalendar
    case staffCalendarReopen(day: Parameter<String>)
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
    case groupContactUpload(id: Parameter<UUID>)
    case groupContactUploadReturned(id: Parameter<UUID>)
    case groupContactBatch(id: Parameter<UUID>)
    case groupContactBatchSummary(id: Parameter<UUID>)
    case staffGroup
    case staffGroupApplication(id: Parameter<UUID>)
    case staffGroupApplicationDecision(id: Parameter<UUID>)
    case staffGroupApplicationContact(id: Parameter<UUID>)
    case staffGroupDocument(id: Parameter<UUID>)
    case staffGroupBatch(id: Parameter<UUID>)
    case staffGroupBatchDecision(id: Parameter<UUID>)
    case staffGroupBatchSummary(id: Parameter<UUID>)
    case activateCard
    // The back office's patron search and patron record (issue #14 item 3); the full ID number only behind a reveal.
    case staffPatrons
    case staffPatron(id: Parameter<UUID>)
    case staffPatronIDNumber(id: Parameter<UUID>)
    /// 我的帳戶 → 個人資料查閱紀錄: which library looked at the reader's personal data (issue #14 item 7).
    case accountAccessLog
    // OpenID Connect provider (issue #15): discovery, keys, the reader's sign-in and consent, the client's endpoints.
    case oidcDiscovery
    case oidcJWKS
    case oidcAuthorize
    case oidcContinue
    case oidcSignIn
    case oidcConsent
    case oidcToken
    case oidcUserInfo
    case oidcRevoke
    case oidcIntrospect
    case oidcLogout
    case staffOIDCClients
    case staffOIDCClientDisable(clientID: Parameter<String>)
    case staffOIDCClientSecret(clientID: Parameter<String>)
    case staffOIDCClientSettings(clientID: Parameter<String>)
    // Partner systems, API clients and SIP2 accounts from the back office (issue #14 item 6).
    case staffPartnerSystems
    case staffPartnerSystem(code: Parameter<String>)
    case staffPartnerSystemSecret(code: Parameter<String>)
    case staffPartnerSystemTest(code: Parameter<String>)
    case staffAPIClients
    case staffAPIClient(id: Parameter<UUID>)
    case staffAPIClientDisable(id: Parameter<UUID>)
    case staffAPIClientToken(id: Parameter<UUID>)
    case staffSIP2Accounts
    case staffSIP2Account(id: Parameter<UUID>)
    case staffSIP2AccountDisable(id: Parameter<UUID>)
    case staffSIP2AccountEnable(id: Parameter<UUID>)
    case staffSIP2AccountPassword(id: Parameter<UUID>)
    // Libraries (issue #14 item 6): an administrator's desks and partner services, the consortium's members.
    case staffLibrary
    case staffLibraryDesks
    case staffLibraryDesk(id: Parameter<UUID>)
    case staffLibraryDeskClose(id: Parameter<UUID>)
    case staffLibraryDeskReopen(id: Parameter<UUID>)
    case staffLibraryServices
    case staffLibraryServiceWithdraw(id: Parameter<UUID>)
    case staffLibraries
    // Staff accounts and the second factor (issue #14 item 6).
    case staffSecondFactor
    case staffSecondFactorEnrol
    case staffAccounts
    case staffAccountRole(id: Parameter<UUID>)
    case staffAccountDisable(id: Parameter<UUID>)
    case staffAccountEnable(id: Parameter<UUID>)
    case staffAccountPasswordLink(id: Parameter<UUID>)
    case staffAccountSecondFactorReset(id: Parameter<UUID>)
    // Consent documents (issue #14 item 6): versions, the next version's draft, its preview and publication;
    // and the reader's answer when a version asks for renewed consent.
    case staffConsents
    case staffConsent(code: Parameter<String>)
    case staffConsentVersion(code: Parameter<String>, version: Parameter<Int>)
    case staffConsentPreview(code: Parameter<String>, version: Parameter<Int>)
    case staffConsentPublish(code: Parameter<String>, version: Parameter<Int>)
    case accountRenewedConsent
    /// The administrators' reports (issue #14 item 4) and one report's file (`report`: `ReportKind`, `format`: xlsx or csv).
    case staffReports
    case staffReportDownload(report: Parameter<String>, format: Parameter<String>)

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

    /// The audit trail's download formats.
    enum AuditExportFormat: String, Sendable, CaseIterable {
        case csv = "audit.csv"
        case xlsx = "audit.xlsx"

        var mediaType: HTTPMediaType {
            switch self {
            case .csv: HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
            case .xlsx: HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            }
        }
    }

    /// The services the home page leads to.
    enum Service: String, CaseIterable, Sendable {
        case cardApplication = "apply"
        case digitalCard = "digital-card"
        case groupApplication = "group-application"
        case signIn = "login"
    }

    /// A path parameter: `.key` where the route is registered, `.value` where a link is built.
    enum Parameter<Value: CustomStringConvertible & Sendable>: Sendable {
        case key
        case value(Value)
    }

    /// One piece of a path: a fixed word, or a named parameter that holds a value only in a link.
    enum Segment: ExpressibleByStringLiteral, Sendable {
        case constant(String)
        case parameter(name: String, value: String?)

        init(stringLiteral word: String) {
            self = .constant(word)
        }

        static func parameter<Value>(_ name: String, _ parameter: Parameter<Value>) -> Segment {
            switch parameter {
            case .key: .parameter(name: name, value: nil)
            case .value(let value): .parameter(name: name, value: value.description)
            }
        }
    }

    /// Each case's path, written once: registration reads the parameters' names, links their values.
    var segments: [Segment] {
        switch self {
        case .home: []
        case .service(let service): [.constant(service.rawValue)]
        case .staffSignIn: ["staff", "login"]
        case .staffSignOut: ["staff", "logout"]
        case .staffHome: ["staff"]
        case .staffSetPassword: ["staff", "password"]
        case .staffAudit: ["staff", "audit"]
        case .staffAuditExport(let format): ["staff", "audit", .constant(format.rawValue)]
        case .healthz: ["healthz"]
        case .metrics: ["metrics"]
        case .openAPI: ["api", "openapi.json"]
        case .apiLibraries: ["api", "v1", "libraries"]
        case .apiLibrary(let code): ["api", "v1", "libraries", .parameter("code", code)]
        case .apiCardApplications: ["api", "v1", "card-applications"]
        case .apiPartnerPatron(let code, let cardNumber): ["api", "v1", "partners", .parameter("code", code), "patrons", .parameter("cardNumber", cardNumber)]
        case .apiPatronAuthentication: ["api", "v1", "patron-authentication"]
        case .ezproxyLogin(let host): ["ezproxy", .parameter("host", host), "login"]
        case .applicationForm: ["apply", "form"]
        case .applicationCaptcha: ["apply", "captcha.png"]
        case .applicationDone: ["apply", "done"]
        case .deskApplications: ["staff", "applications"]
        case .readerSignOut: ["logout"]
        case .account: ["account"]
        case .forgotPassword: ["login", "forgot"]
        case .resetPassword: ["login", "reset"]
        case .accountData: ["account", "my-data.json"]
        case .accountDataPage: ["account", "my-data"]
        case .accountPartners: ["account", "partners"]
        case .accountPartner(let code): ["account", "partners", .parameter("code", code)]
        case .accountPartnerDone(let code): ["account", "partners", .parameter("code", code), "done"]
        case .accountPartnerDisable(let code): ["account", "partners", .parameter("code", code), "disable"]
        case .deskApplication(let id): ["staff", "applications", .parameter("id", id)]
        case .deskActivate(let id): ["staff", "applications", .parameter("id", id), "activate"]
        case .staffDeliveries: ["staff", "deliveries"]
        case .digitalCardForm: ["digital-card", "form"]
        case .digitalCardCertificate: ["digital-card", "certificate"]
        case .digitalCardDone: ["digital-card", "done"]
        case .digitalCardCorrection: ["digital-card", "correction"]
        case .staffDigitalCards: ["staff", "digital-cards"]
        case .staffDigitalCard(let id): ["staff", "digital-cards", .parameter("id", id)]
        case .staffDigitalCardFile(let id, let file): ["staff", "digital-cards", .parameter("id", id), "files", .parameter("file", file)]
        case .deskUpgrade(let id): ["staff", "applications", .parameter("id", id), "upgrade"]
        case .deskSuspend(let id): ["staff", "applications", .parameter("id", id), "suspend"]
        case .deskReinstate(let id): ["staff", "applications", .parameter("id", id), "reinstate"]
        case .deskValidUntil(let id): ["staff", "applications", .parameter("id", id), "valid-until"]
        case .myHome: ["account", "home"]
        case .accountCard: ["account", "card"]
        case .accountCardImage(let image): ["account", "card", .constant(image.rawValue)]
        case .accountPassword: ["account", "password"]
        case .accountContact: ["account", "contact"]
        case .accountRequest(let kind): ["account", "requests", .parameter("kind", kind)]
        case .accountConsentWithdraw(let id): ["account", "consents", .parameter("id", id), "withdraw"]
        case .staffRequests: ["staff", "requests"]
        case .staffRequestDecision(let id): ["staff", "requests", .parameter("id", id)]
        case .staffDeliveryRetry(let id): ["staff", "deliveries", .parameter("id", id), "retry"]
        case .staffCalendar: ["staff", "calendar"]
        case .staffCalendarReopen(let day): ["staff", "calendar", .parameter("day", day), "reopen"]
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
        case .groupContactUpload(let id): ["group-application", "contact", "uploads", .parameter("id", id)]
        case .groupContactUploadReturned(let id): ["group-application", "contact", "uploads", .parameter("id", id), "returned.xlsx"]
        case .groupContactBatch(let id): ["group-application", "contact", "batches", .parameter("id", id)]
        case .groupContactBatchSummary(let id): ["group-application", "contact", "batches", .parameter("id", id), "summary.xlsx"]
        case .staffGroup: ["staff", "group"]
        case .staffGroupApplication(let id): ["staff", "group", "applications", .parameter("id", id)]
        case .staffGroupApplicationDecision(let id): ["staff", "group", "applications", .parameter("id", id), "decision"]
        case .staffGroupApplicationContact(let id): ["staff", "group", "applications", .parameter("id", id), "contact"]
        case .staffGroupDocument(let id): ["staff", "group", "documents", .parameter("id", id)]
        case .staffGroupBatch(let id): ["staff", "group", "batches", .parameter("id", id)]
        case .staffGroupBatchDecision(let id): ["staff", "group", "batches", .parameter("id", id), "decision"]
        case .staffGroupBatchSummary(let id): ["staff", "group", "batches", .parameter("id", id), "summary.xlsx"]
        case .activateCard: ["login", "activate"]
        case .staffPatrons: ["staff", "patrons"]
        case .staffPatron(let id): ["staff", "patrons", .parameter("id", id)]
        case .staffPatronIDNumber(let id): ["staff", "patrons", .parameter("id", id), "id-number"]
        case .accountAccessLog: ["account", "access-log"]
        case .oidcDiscovery: [".well-known", "openid-configuration"]
        case .oidcJWKS: ["oidc", "jwks.json"]
        case .oidcAuthorize: ["oidc", "authorize"]
        case .oidcContinue: ["oidc", "continue"]
        case .oidcSignIn: ["oidc", "sign-in"]
        case .oidcConsent: ["oidc", "consent"]
        case .oidcToken: ["oidc", "token"]
        case .oidcUserInfo: ["oidc", "userinfo"]
        case .oidcRevoke: ["oidc", "revoke"]
        case .oidcIntrospect: ["oidc", "introspect"]
        case .oidcLogout: ["oidc", "logout"]
        case .staffOIDCClients: ["staff", "oidc", "clients"]
        case .staffOIDCClientDisable(let clientID): ["staff", "oidc", "clients", .parameter("clientID", clientID), "disable"]
        case .staffOIDCClientSecret(let clientID): ["staff", "oidc", "clients", .parameter("clientID", clientID), "secret"]
        case .staffOIDCClientSettings(let clientID): ["staff", "oidc", "clients", .parameter("clientID", clientID), "settings"]
        case .staffPartnerSystems: ["staff", "partner-systems"]
        case .staffPartnerSystem(let code): ["staff", "partner-systems", .parameter("code", code)]
        case .staffPartnerSystemSecret(let code): ["staff", "partner-systems", .parameter("code", code), "secret"]
        case .staffPartnerSystemTest(let code): ["staff", "partner-systems", .parameter("code", code), "test"]
        case .staffAPIClients: ["staff", "api-clients"]
        case .staffAPIClient(let id): ["staff", "api-clients", .parameter("id", id)]
        case .staffAPIClientDisable(let id): ["staff", "api-clients", .parameter("id", id), "disable"]
        case .staffAPIClientToken(let id): ["staff", "api-clients", .parameter("id", id), "token"]
        case .staffSIP2Accounts: ["staff", "sip2-accounts"]
        case .staffSIP2Account(let id): ["staff", "sip2-accounts", .parameter("id", id)]
        case .staffSIP2AccountDisable(let id): ["staff", "sip2-accounts", .parameter("id", id), "disable"]
        case .staffSIP2AccountEnable(let id): ["staff", "sip2-accounts", .parameter("id", id), "enable"]
        case .staffSIP2AccountPassword(let id): ["staff", "sip2-accounts", .parameter("id", id), "password"]
        case .staffLibrary: ["staff", "library"]
        case .staffLibraryDesks: ["staff", "library", "desks"]
        case .staffLibraryDesk(let id): ["staff", "library", "desks", .parameter("id", id)]
        case .staffLibraryDeskClose(let id): ["staff", "library", "desks", .parameter("id", id), "close"]
        case .staffLibraryDeskReopen(let id): ["staff", "library", "desks", .parameter("id", id), "reopen"]
        case .staffLibraryServices: ["staff", "library", "services"]
        case .staffLibraryServiceWithdraw(let id): ["staff", "library", "services", .parameter("id", id), "withdraw"]
        case .staffLibraries: ["staff", "libraries"]
        case .staffSecondFactor: ["staff", "login", "code"]
        case .staffSecondFactorEnrol: ["staff", "login", "enrol"]
        case .staffAccounts: ["staff", "accounts"]
        case .staffAccountRole(let id): ["staff", "accounts", .parameter("id", id), "role"]
        case .staffAccountDisable(let id): ["staff", "accounts", .parameter("id", id), "disable"]
        case .staffAccountEnable(let id): ["staff", "accounts", .parameter("id", id), "enable"]
        case .staffAccountPasswordLink(let id): ["staff", "accounts", .parameter("id", id), "password-link"]
        case .staffAccountSecondFactorReset(let id): ["staff", "accounts", .parameter("id", id), "second-factor-reset"]
        case .staffConsents: ["staff", "consents"]
        case .staffConsent(let code): ["staff", "consents", .parameter("code", code)]
        case .staffConsentVersion(let code, let version): ["staff", "consents", .parameter("code", code), "versions", .parameter("version", version)]
        case .staffConsentPreview(let code, let version):
            ["staff", "consents", .parameter("code", code), "versions", .parameter("version", version), "preview"]
        case .staffConsentPublish(let code, let version):
            ["staff", "consents", .parameter("code", code), "versions", .parameter("version", version), "publish"]
        case .accountRenewedConsent: ["account", "renewed-consent"]
        case .staffReports: ["staff", "reports"]
        case .staffReportDownload(let report, let format): ["staff", "reports", .parameter("report", report), .parameter("format", format)]
        }
    }


    /// The name a template links to this case by (`#path("accountPartners")`), or nil for a case whose path needs
    /// values: such a link is built in Swift and handed to the template by its page model. No `default:`, so a new
    /// case does not compile until it is decided here.
    var templateName: String? {
        switch self {
        case .home: "home"
        case .service(let service):
            switch service {
            case .cardApplication: "service.cardApplication"
            case .digitalCard: "service.digitalCard"
            case .groupApplication: "service.groupApplication"
            case .signIn: "service.signIn"
            }
        case .staffSignIn: "staffSignIn"
        case .staffSignOut: "staffSignOut"
        case .staffHome: "staffHome"
        case .staffSetPassword: "staffSetPassword"
        case .staffAudit: "staffAudit"
        case .healthz: "healthz"
        case .metrics: "metrics"
        case .openAPI: "openAPI"
        case .apiLibraries: "apiLibraries"
        case .apiCardApplications: "apiCardApplications"
        case .apiPatronAuthentication: "apiPatronAuthentication"
        case .applicationForm: "applicationForm"
        case .applicationCaptcha: "applicationCaptcha"
        case .applicationDone: "applicationDone"
        case .deskApplications: "deskApplications"
        case .readerSignOut: "readerSignOut"
        case .account: "account"
        case .forgotPassword: "forgotPassword"
        case .resetPassword: "resetPassword"
        case .accountData: "accountData"
        case .accountDataPage: "accountDataPage"
        case .accountPartners: "accountPartners"
        case .staffDeliveries: "staffDeliveries"
        case .digitalCardForm: "digitalCardForm"
        case .digitalCardCertificate: "digitalCardCertificate"
        case .digitalCardDone: "digitalCardDone"
        case .digitalCardCorrection: "digitalCardCorrection"
        case .staffDigitalCards: "staffDigitalCards"
        case .myHome: "myHome"
        case .accountCard: "accountCard"
        case .accountCardImage(let image):
            switch image {
            case .code128: "accountCardImage.code128"
            case .qr: "accountCardImage.qr"
            }
        case .accountPassword: "accountPassword"
        case .accountContact: "accountContact"
        case .staffRequests: "staffRequests"
        case .staffCalendar: "staffCalendar"
        case .taipeiPassSignIn: "taipeiPassSignIn"
        case .taipeiPassCallback: "taipeiPassCallback"
        case .groupApplicationForm: "groupApplicationForm"
        case .groupApplicationDone: "groupApplicationDone"
        case .groupTemplate(let format):
            switch format {
            case .xlsx: "groupTemplate.xlsx"
            case .ods: "groupTemplate.ods"
            }
        case .groupContact: "groupContact"
        case .groupContactSignIn: "groupContactSignIn"
        case .groupContactSignOut: "groupContactSignOut"
        case .groupContactHome: "groupContactHome"
        case .groupContactNewBatch: "groupContactNewBatch"
        case .staffGroup: "staffGroup"
        case .activateCard: "activateCard"
        case .staffPatrons: "staffPatrons"
        case .accountAccessLog: "accountAccessLog"
        case .oidcDiscovery: "oidcDiscovery"
        case .oidcJWKS: "oidcJWKS"
        case .oidcAuthorize: "oidcAuthorize"
        case .oidcContinue: "oidcContinue"
        case .oidcSignIn: "oidcSignIn"
        case .oidcConsent: "oidcConsent"
        case .oidcToken: "oidcToken"
        case .oidcUserInfo: "oidcUserInfo"
        case .oidcRevoke: "oidcRevoke"
        case .oidcIntrospect: "oidcIntrospect"
        case .oidcLogout: "oidcLogout"
        case .staffOIDCClients: "staffOIDCClients"
        case .staffPartnerSystems: "staffPartnerSystems"
        case .staffAPIClients: "staffAPIClients"
        case .staffSIP2Accounts: "staffSIP2Accounts"
        case .staffLibrary: "staffLibrary"
        case .staffLibraryDesks: "staffLibraryDesks"
        case .staffLibraryServices: "staffLibraryServices"
        case .staffLibraries: "staffLibraries"
        case .staffSecondFactor: "staffSecondFactor"
        case .staffSecondFactorEnrol: "staffSecondFactorEnrol"
        case .staffAccounts: "staffAccounts"
        case .staffConsents: "staffConsents"
        case .accountRenewedConsent: "accountRenewedConsent"
        case .staffReports: "staffReports"
        case .apiLibrary, .apiPartnerPatron, .ezproxyLogin, .accountPartner, .accountPartnerDone, .accountPartnerDisable,
             .deskApplication, .deskActivate, .staffDigitalCard, .staffDigitalCardFile, .deskUpgrade, .deskSuspend,
             .deskReinstate, .deskValidUntil, .accountRequest, .accountConsentWithdraw, .staffRequestDecision,
             .staffDeliveryRetry, .staffCalendarReopen, .groupContactUpload, .groupContactUploadReturned,
             .groupContactBatch, .groupContactBatchSummary, .staffGroupApplication, .staffGroupApplicationDecision,
             .staffGroupApplicationContact, .staffGroupDocument, .staffGroupBatch, .staffGroupBatchDecision,
             .staffGroupBatchSummary, .staffPatron, .staffPatronIDNumber, .staffOIDCClientDisable, .staffOIDCClientSecret, .staffOIDCClientSettings,
             .staffPartnerSystem, .staffPartnerSystemSecret, .staffPartnerSystemTest, .staffAPIClient, .staffAPIClientDisable,
             .staffAPIClientToken, .staffSIP2Account, .staffSIP2AccountDisable, .staffSIP2AccountEnable, .staffSIP2AccountPassword,
             .staffLibraryDesk, .staffLibraryDeskClose, .staffLibraryDeskReopen, .staffLibraryServiceWithdraw,
             .staffAccountRole, .staffAccountDisable, .staffAccountEnable, .staffAccountPasswordLink, .staffAccountSecondFactorReset,
             .staffConsent, .staffConsentVersion, .staffConsentPreview, .staffConsentPublish,
             .staffAuditExport, .staffReportDownload:
            nil
        }
    }

    /// Every case a template may name. `SiteURLTests` checks that each case with a `templateName` is listed here.
    static let templateLinks: [SiteURL] = [
        .home, .staffSignIn, .staffSignOut, .staffHome, .staffSetPassword, .staffAudit, .healthz, .metrics, .openAPI,
        .apiLibraries, .apiCardApplications, .apiPatronAuthentication, .applicationForm, .applicationCaptcha, .applicationDone, .deskApplications,
        .readerSignOut, .account, .forgotPassword, .resetPassword, .accountData, .accountDataPage, .accountPartners, .staffDeliveries,
        .digitalCardForm, .digitalCardCertificate, .digitalCardDone, .digitalCardCorrection, .staffDigitalCards, .myHome,
        .accountCard, .accountCardImage(.code128), .accountCardImage(.qr), .accountPassword, .accountContact,
        .staffRequests, .staffCalendar, .taipeiPassSignIn, .taipeiPassCallback, .groupApplicationForm,
        .groupApplicationDone, .groupContact, .groupContactSignIn, .groupContactSignOut, .groupContactHome,
        .groupContactNewBatch, .staffGroup, .activateCard, .staffPatrons, .accountAccessLog,
        .oidcDiscovery, .oidcJWKS, .oidcAuthorize, .oidcContinue, .oidcSignIn, .oidcConsent, .oidcToken, .oidcUserInfo,
        .oidcRevoke, .oidcIntrospect, .oidcLogout, .staffOIDCClients,
        .staffPartnerSystems, .staffAPIClients, .staffSIP2Accounts,
        .staffLibrary, .staffLibraryDesks, .staffLibraryServices, .staffLibraries,
        .staffSecondFactor, .staffSecondFactorEnrol, .staffAccounts, .staffConsents, .accountRenewedConsent, .staffReports,
    ] + Service.allCases.map { .service($0) } + TemplateFormat.allCases.map { .groupTemplate($0) }

    /// The case a template names, or nil for an unknown name (the `#path` tag then fails the render).
    init?(templateName name: String) {
        guard let url = Self.templateLinksByName[name] else { return nil }
        self = url
    }

    private static let templateLinksByName: [String: SiteURL] = Dictionary(
        templateLinks.compactMap { url in url.templateName.map { ($0, url) } },
        uniquingKeysWith: { first, _ in first }
    )


    /// What a route is registered at. The parameters must be keys: a value here would be ignored, so it is a mistake.
    var pathComponents: [PathComponent] {
        segments.map { segment in
            switch segment {
            case .constant(let word): .constant(word)
            case .parameter(let name, nil): .parameter(name)
            case .parameter(let name, .some): preconditionFailure("\(self) is registered with a value for :\(name); use .key")
            }
        }
    }

    /// The path for a link, parameters filled in and percent-encoded.
    var path: String {
        "/" + segments.map { segment in
            switch segment {
            case .constant(let word): word
            case .parameter(_, let value?): value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? value
            case .parameter(let name, nil): preconditionFailure("a link to \(self) needs a value for :\(name)")
            }
        }.joined(separator: "/")
    }
}
