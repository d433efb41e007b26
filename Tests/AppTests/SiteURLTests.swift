import Foundation
import RoutingKit
import XCTVapor
@testable import App

/// Walks every `SiteURL` case: the route registered from it is served by the app, and a link built from it
/// reaches that same route with the link's values as the route's parameters.
final class SiteURLTests: XCTestCase {
    static let id = UUID(uuidString: "0F8E5C1A-6B2D-4E7F-9A3C-1D2E3F4A5B6C")!
    static let file = UUID(uuidString: "A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF")!

    /// Every case, as registered (parameters as keys). `link(for:)` below makes the compiler insist that a
    /// new case is added there, and `testEveryRouteOfTheAppIsASiteURL` that it is added here.
    static let registered: [SiteURL] = [
        .home, .staffSignIn, .staffSignOut, .staffHome, .staffSetPassword, .staffAudit, .healthz, .metrics, .openAPI,
        .apiLibraries, .apiLibrary(code: .key), .apiCardApplications, .apiPartnerPatron(code: .key, cardNumber: .key),
        .apiPatronAuthentication, .ezproxyLogin(host: .key),
        .applicationForm, .applicationCaptcha, .applicationDone, .deskApplications, .readerSignOut, .account,
        .forgotPassword, .resetPassword, .accountData, .accountDataPage, .accountPartners, .accountPartner(code: .key),
        .accountPartnerDone(code: .key), .accountPartnerDisable(code: .key), .deskApplication(id: .key),
        .deskActivate(id: .key), .staffDeliveries, .digitalCardForm, .digitalCardCertificate, .digitalCardDone,
        .digitalCardCorrection, .staffDigitalCards, .staffDigitalCard(id: .key), .staffDigitalCardFile(id: .key, file: .key),
        .deskUpgrade(id: .key), .deskSuspend(id: .key), .deskReinstate(id: .key), .deskValidUntil(id: .key), .myHome,
        .accountCard, .accountCardImage(.code128), .accountCardImage(.qr), .accountPassword, .accountContact,
        .accountRequest(kind: .key), .accountConsentWithdraw(id: .key), .staffRequests, .staffRequestDecision(id: .key),
        .staffDeliveryRetry(id: .key), .staffCalendar, .staffCalendarReopen(day: .key), .taipeiPassSignIn,
        .taipeiPassCallback, .groupApplicationForm, .groupApplicationDone, .groupContact, .groupContactSignIn,
        .groupContactSignOut, .groupContactHome, .groupContactNewBatch, .groupContactUpload(id: .key),
        .groupContactUploadReturned(id: .key), .groupContactBatch(id: .key), .groupContactBatchSummary(id: .key),
        .staffGroup, .staffGroupApplication(id: .key), .staffGroupApplicationDecision(id: .key),
        .staffGroupApplicationContact(id: .key), .staffGroupDocument(id: .key), .staffGroupBatch(id: .key),
        .staffGroupBatchDecision(id: .key), .staffGroupBatchSummary(id: .key), .activateCard,
        .staffPatrons, .staffPatron(id: .key), .staffPatronIDNumber(id: .key), .accountAccessLog,
        .oidcDiscovery, .oidcJWKS, .oidcAuthorize, .oidcContinue, .oidcSignIn, .oidcConsent, .oidcToken, .oidcUserInfo,
        .oidcRevoke, .oidcIntrospect, .oidcLogout, .staffOIDCClients, .staffOIDCClientDisable(clientID: .key),
        .staffOIDCClientSecret(clientID: .key), .staffOIDCClientSettings(clientID: .key),
        .staffPartnerSystems, .staffPartnerSystem(code: .key), .staffPartnerSystemSecret(code: .key), .staffPartnerSystemTest(code: .key),
        .staffAPIClients, .staffAPIClient(id: .key), .staffAPIClientDisable(id: .key), .staffAPIClientToken(id: .key),
        .staffSIP2Accounts, .staffSIP2Account(id: .key), .staffSIP2AccountDisable(id: .key), .staffSIP2AccountEnable(id: .key),
        .staffSIP2AccountPassword(id: .key),
        .staffLibrary, .staffLibraryDesks, .staffLibraryDesk(id: .key), .staffLibraryDeskClose(id: .key), .staffLibraryDeskReopen(id: .key), .staffLibraryServices,
        .staffLibraryServiceWithdraw(id: .key), .staffLibraries,
        .staffSecondFactor, .staffSecondFactorEnrol, .staffAccounts, .staffAccountRole(id: .key), .staffAccountDisable(id: .key), .staffAccountEnable(id: .key),
        .staffAccountPasswordLink(id: .key), .staffAccountSecondFactorReset(id: .key),
        .staffConsents, .staffConsent(code: .key),
        .staffConsentVersion(code: .key, version: .key), .staffConsentPreview(code: .key, version: .key),
        .staffConsentPublish(code: .key, version: .key), .accountRenewedConsent,
        .staffReports, .staffReportDownload(report: .key, format: .key),
    ] + SiteURL.Service.allCases.map { .service($0) } + SiteURL.TemplateFormat.allCases.map { .groupTemplate($0) }
        + SiteURL.AuditExportFormat.allCases.map { .staffAuditExport($0) }

    /// The same case as a link, with sample values. No `default:`, so a new case does not compile until it is here.
    static func link(for url: SiteURL) -> SiteURL {
        switch url {
        case .home, .service, .staffSignIn, .staffSignOut, .staffHome, .staffSetPassword, .staffAudit, .healthz, .metrics,
             .openAPI, .apiLibraries, .apiCardApplications, .apiPatronAuthentication, .applicationForm, .applicationCaptcha, .applicationDone,
             .deskApplications, .readerSignOut, .account, .forgotPassword, .resetPassword, .accountData, .accountDataPage, .accountPartners,
             .staffDeliveries, .digitalCardForm, .digitalCardCertificate, .digitalCardDone, .digitalCardCorrection,
             .staffDigitalCards, .myHome, .accountCard, .accountCardImage, .accountPassword, .accountContact, .staffRequests,
             .staffCalendar, .taipeiPassSignIn, .taipeiPassCallback, .groupApplicationForm, .groupApplicationDone,
             .groupTemplate, .groupContact, .groupContactSignIn, .groupContactSignOut, .groupContactHome,
             .groupContactNewBatch, .staffGroup, .activateCard, .staffPatrons, .accountAccessLog, .oidcDiscovery, .oidcJWKS, .oidcAuthorize, .oidcContinue,
             .oidcSignIn, .oidcConsent, .oidcToken, .oidcUserInfo, .oidcRevoke, .oidcIntrospect, .oidcLogout, .staffOIDCClients,
             .staffPartnerSystems, .staffAPIClients, .staffSIP2Accounts,
             .staffLibrary, .staffLibraryDesks, .staffLibraryServices, .staffLibraries,
             .staffSecondFactor, .staffSecondFactorEnrol, .staffAccounts,
             .staffConsents, .accountRenewedConsent,
             .staffAuditExport, .staffReports:
            url
        case .staffPartnerSystem: .staffPartnerSystem(code: .value("NTPL"))
        case .staffPartnerSystemSecret: .staffPartnerSystemSecret(code: .value("NTPL"))
        case .staffPartnerSystemTest: .staffPartnerSystemTest(code: .value("NTPL"))
        case .staffAPIClient: .staffAPIClient(id: .value(id))
        case .staffAPIClientDisable: .staffAPIClientDisable(id: .value(id))
        case .staffAPIClientToken: .staffAPIClientToken(id: .value(id))
        case .staffSIP2Account: .staffSIP2Account(id: .value(id))
        case .staffSIP2AccountDisable: .staffSIP2AccountDisable(id: .value(id))
        case .staffSIP2AccountEnable: .staffSIP2AccountEnable(id: .value(id))
        case .staffSIP2AccountPassword: .staffSIP2AccountPassword(id: .value(id))
        case .staffLibraryDesk: .staffLibraryDesk(id: .value(id))
        case .staffLibraryDeskClose: .staffLibraryDeskClose(id: .value(id))
        case .staffLibraryDeskReopen: .staffLibraryDeskReopen(id: .value(id))
        case .staffLibraryServiceWithdraw: .staffLibraryServiceWithdraw(id: .value(id))
        case .staffAccountRole: .staffAccountRole(id: .value(id))
        case .staffAccountDisable: .staffAccountDisable(id: .value(id))
        case .staffAccountEnable: .staffAccountEnable(id: .value(id))
        case .staffAccountPasswordLink: .staffAccountPasswordLink(id: .value(id))
        case .staffAccountSecondFactorReset: .staffAccountSecondFactorReset(id: .value(id))
        case .staffConsent: .staffConsent(code: .value("TPML_PRIVACY"))
        case .staffConsentVersion: .staffConsentVersion(code: .value("TPML_PRIVACY"), version: .value(2))
        case .staffConsentPreview: .staffConsentPreview(code: .value("TPML_PRIVACY"), version: .value(2))
        case .staffConsentPublish: .staffConsentPublish(code: .value("TPML_PRIVACY"), version: .value(2))
        case .staffReportDownload: .staffReportDownload(report: .value("applications"), format: .value("csv"))
        case .staffOIDCClientDisable: .staffOIDCClientDisable(clientID: .value("hyread"))
        case .staffOIDCClientSecret: .staffOIDCClientSecret(clientID: .value("hyread"))
        case .staffOIDCClientSettings: .staffOIDCClientSettings(clientID: .value("hyread"))
        case .apiLibrary: .apiLibrary(code: .value("TPML"))
        case .ezproxyLogin: .ezproxyLogin(host: .value("nlpi-ezproxy"))
        case .apiPartnerPatron: .apiPartnerPatron(code: .value("taipei-pass"), cardNumber: .value("A123456789"))
        case .accountPartner: .accountPartner(code: .value("taipei-pass"))
        case .accountPartnerDone: .accountPartnerDone(code: .value("taipei-pass"))
        case .accountPartnerDisable: .accountPartnerDisable(code: .value("taipei-pass"))
        case .deskApplication: .deskApplication(id: .value(id))
        case .deskActivate: .deskActivate(id: .value(id))
        case .staffDigitalCard: .staffDigitalCard(id: .value(id))
        case .staffDigitalCardFile: .staffDigitalCardFile(id: .value(id), file: .value(file))
        case .deskUpgrade: .deskUpgrade(id: .value(id))
        case .deskSuspend: .deskSuspend(id: .value(id))
        case .deskReinstate: .deskReinstate(id: .value(id))
        case .deskValidUntil: .deskValidUntil(id: .value(id))
        case .accountRequest: .accountRequest(kind: .value("correction"))
        case .accountConsentWithdraw: .accountConsentWithdraw(id: .value(id))
        case .staffRequestDecision: .staffRequestDecision(id: .value(id))
        case .staffDeliveryRetry: .staffDeliveryRetry(id: .value(42))
        case .staffCalendarReopen: .staffCalendarReopen(day: .value("2025-02-28"))
        case .groupContactUpload: .groupContactUpload(id: .value(id))
        case .groupContactUploadReturned: .groupContactUploadReturned(id: .value(id))
        case .groupContactBatch: .groupContactBatch(id: .value(id))
        case .groupContactBatchSummary: .groupContactBatchSummary(id: .value(id))
        case .staffGroupApplication: .staffGroupApplication(id: .value(id))
        case .staffGroupApplicationDecision: .staffGroupApplicationDecision(id: .value(id))
        case .staffGroupApplicationContact: .staffGroupApplicationContact(id: .value(id))
        case .staffGroupDocument: .staffGroupDocument(id: .value(id))
        case .staffGroupBatch: .staffGroupBatch(id: .value(id))
        case .staffGroupBatchDecision: .staffGroupBatchDecision(id: .value(id))
        case .staffGroupBatchSummary: .staffGroupBatchSummary(id: .value(id))
        case .staffPatron: .staffPatron(id: .value(id))
        case .staffPatronIDNumber: .staffPatronIDNumber(id: .value(id))
        }
    }

    func testEveryRouteOfTheAppIsASiteURL() async throws {
        try await withTestApp { app in
            let declared = Set(Self.registered.map { $0.pathComponents.string })
            XCTAssertEqual(declared.count, Self.registered.count, "two cases share a path")
            for route in app.routes.all {
                XCTAssertTrue(declared.contains(route.path.string), "\(route.method) /\(route.path.string) is registered without a SiteURL case")
            }
        }
    }

    func testEveryCaseIsServedAndItsLinksReachItsRoute() async throws {
        try await withTestApp { app in
            // The app's router, built as Vapor's responder builds it: the method, then the path.
            let router = TrieRouter(Route.self)
            for route in app.routes.all {
                router.register(route, at: [.constant(route.method.rawValue)] + route.path)
            }
            for url in Self.registered {
                let served = app.routes.all.filter { $0.path.string == url.pathComponents.string }
                XCTAssertFalse(served.isEmpty, "\(url) is declared but no route serves it")

                let link = Self.link(for: url)
                XCTAssertTrue(link.path.hasPrefix("/"), "\(link)")
                let segments = link.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
                for route in served {
                    var parameters = Parameters()
                    let found = router.route(path: [route.method.rawValue] + segments, parameters: &parameters)
                    XCTAssertTrue(found === route, "\(route.method) \(link.path) should reach /\(route.path.string)")
                    for case .parameter(let name, let value?) in link.segments {
                        XCTAssertEqual(parameters.get(name), value, "\(link.path) :\(name)")
                    }
                }
            }
        }
    }

    /// Each case a template may name is found by that name, and no two cases share one.
    func testEveryTemplateNameFindsItsCase() {
        var names: Set<String> = []
        for url in Self.registered {
            guard let name = url.templateName else { continue }
            XCTAssertTrue(names.insert(name).inserted, "two cases are named \(name)")
            XCTAssertEqual(SiteURL(templateName: name)?.path, url.path, "#path(\"\(name)\") should link to \(url); is it in SiteURL.templateLinks?")
        }
        XCTAssertNil(SiteURL(templateName: "accountPartnerz"))
        XCTAssertEqual(SiteURL(templateName: "service.groupApplication")?.path, "/group-application")
    }

    func testLinksFillInTheirValues() {
        XCTAssertEqual(SiteURL.home.path, "/")
        XCTAssertEqual(SiteURL.service(.groupApplication).path, "/group-application")
        XCTAssertEqual(SiteURL.deskActivate(id: .value(Self.id)).path, "/staff/applications/\(Self.id.uuidString)/activate")
        XCTAssertEqual(SiteURL.staffDeliveryRetry(id: .value(7)).path, "/staff/deliveries/7/retry")
        XCTAssertEqual(SiteURL.apiLibrary(code: .value("a b")).path, "/api/v1/libraries/a%20b")
        XCTAssertEqual(SiteURL.accountCardImage(.qr).path, "/account/card/qr.png")
        XCTAssertEqual(SiteURL.deskActivate(id: .key).pathComponents.string, "staff/applications/:id/activate")
    }
}
