import Fluent
import Vapor

/// 我的帳戶 → 合作館服務, as the seed's section 二 walks it: the list with 啟用 → the partner's consent
/// statement (啟用服務聲明) with 不同意 / 同意 → 確定 → back to the list; 停用 → a page saying what stopping
/// does, with 取消 / 確定停用 → the consent is withdrawn (#17: a destructive action is never one tap).
struct PartnerServicesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.accountPartners, use: list)
        routes.get(.accountPartner(code: .key), use: statement)
        routes.post(.accountPartner(code: .key), maximumBytes: .form, use: decide)
        routes.get(.accountPartnerDone(code: .key), use: done)
        routes.get(.accountPartnerDisable(code: .key), use: confirmDisable)
        routes.post(.accountPartnerDisable(code: .key), maximumBytes: .form, use: disable)
    }

    @Sendable
    func list(req: Request) async throws -> Response {
        guard let patron = try await req.signedInPatron() else { return req.redirect(to: SiteURL.service(.signIn).path) }
        var page = try await PartnerServicesPage.query(for: patron, locale: req.locale,
                                                       taipeiPassConfigured: req.application.settings.taipeiPass != nil,
                                                       database: req.db, now: req.now)
        page.notice = req.query[String.self, at: "disabled"].map { _ in req.t("partners.disabled") }
        page.problem = req.query[String.self, at: "taipei_pass"].flatMap(TaipeiPassFailure.init(rawValue:)).map { req.t($0.messageKey) }
        return try await req.view.render("reader/partners", page).encodeResponse(for: req)
    }

    struct StatementPage: Encodable {
        let code: String
        let name: String
        let document: CardApplicationController.ConsentPage.Document
        let version: Int
        /// 與台北通結合: 同意 leads on to the Taipei Pass sign-in.
        let continuesAtCityAccount: Bool
        /// Where 同意 / 不同意 posts.
        let decisionPath: String
    }

    @Sendable
    func statement(req: Request) async throws -> Response {
        guard let patron = try await req.signedInPatron() else { return req.redirect(to: SiteURL.service(.signIn).path) }
        let links = PartnerLinkService(database: req.db, now: req.now)
        let service = try await links.service(code: req.parameters.require("code"), for: patron)
        let document = try await links.statement(for: service, taipeiPassConfigured: req.application.settings.taipeiPass != nil)
        let page = StatementPage(code: service.code, name: service.name(in: req.locale),
                                 document: CardApplicationController.documentView(document, req.locale), version: document.version,
                                 continuesAtCityAccount: service.kind == .cityAccount,
                                 decisionPath: SiteURL.accountPartner(code: .value(service.code)).path)
        return try await req.view.render("reader/partner-statement", page).encodeResponse(for: req)
    }

    struct Decision: Content {
        var decision: String?
    }

    @Sendable
    func decide(req: Request) async throws -> Response {
        guard let patron = try await req.signedInPatron() else { return req.redirect(to: SiteURL.service(.signIn).path) }
        let links = PartnerLinkService(database: req.db, now: req.now)
        let service = try await links.service(code: req.parameters.require("code"), for: patron)
        guard try req.content.decode(Decision.self).decision == "agree" else {
            return req.redirect(to: SiteURL.accountPartners.path, redirectType: .normal)
        }
        if service.kind == .cityAccount {
            // Nothing is recorded yet: the consent is written with the link, once Taipei Pass vouched for the account.
            guard let taipeiPass = req.taipeiPass else { throw PartnerServiceError.needsCityAccount }
            let document = try await links.statement(for: service, taipeiPassConfigured: true)
            do {
                let started = try await taipeiPass.beginLink(for: patron, agreedTo: document, locale: req.locale)
                req.keepTaipeiPassAuthorization(started)
                return req.redirect(to: started.url, redirectType: .normal)
            } catch let failure as TaipeiPassFailure {
                return req.redirect(to: SiteURL.accountPartners.path + "?taipei_pass=\(failure.rawValue)", redirectType: .normal)
            }
        }
        try await links.enable(service, for: patron, ipAddress: req.clientAddress)
        return req.redirect(to: SiteURL.accountPartnerDone(code: .value(service.code)).path, redirectType: .normal)
    }

    struct DonePage: Encodable {
        let name: String
    }

    @Sendable
    func done(req: Request) async throws -> Response {
        guard let patron = try await req.signedInPatron() else { return req.redirect(to: SiteURL.service(.signIn).path) }
        let service = try await PartnerLinkService(database: req.db, now: req.now).service(code: req.parameters.require("code"), for: patron)
        return try await req.view.render("reader/partner-done", DonePage(name: service.name(in: req.locale)))
            .encodeResponse(for: req)
    }

    struct DisablePage: Encodable {
        let name: String
        /// The partner library the card stops working at (nil for 與台北通結合, which links an account, not a library).
        let library: String?
        /// Where 確定停用 posts; 取消 goes back to the list.
        let disablePath: String
    }

    /// 停用's confirmation: what will happen (the partner library is told and the card stops working there)
    /// and how to turn it back on. Showing it changes nothing.
    @Sendable
    func confirmDisable(req: Request) async throws -> Response {
        guard let patron = try await req.signedInPatron() else { return req.redirect(to: SiteURL.service(.signIn).path) }
        let service = try await PartnerLinkService(database: req.db, now: req.now).service(code: req.parameters.require("code"), for: patron)
        let library = try await service.$partnerLibrary.get(on: req.db)
        let page = DisablePage(name: service.name(in: req.locale), library: library?.name(in: req.locale),
                               disablePath: SiteURL.accountPartnerDisable(code: .value(service.code)).path)
        return try await req.view.render("reader/partner-disable", page).encodeResponse(for: req)
    }

    struct DisableConfirmation: Content {
        var confirm: String?
    }

    @Sendable
    func disable(req: Request) async throws -> Response {
        guard let patron = try await req.signedInPatron() else { return req.redirect(to: SiteURL.service(.signIn).path) }
        let links = PartnerLinkService(database: req.db, now: req.now)
        let service = try await links.service(code: req.parameters.require("code"), for: patron)
        // Only the confirmation page's 確定停用 withdraws; any other post (an old list page) is sent to it.
        guard try req.content.decode(DisableConfirmation.self).confirm == "yes" else {
            return req.redirect(to: SiteURL.accountPartnerDisable(code: .value(service.code)).path, redirectType: .normal)
        }
        try await links.disable(service, for: patron, ipAddress: req.clientAddress)
        return req.redirect(to: SiteURL.accountPartners.path + "?disabled=1", redirectType: .normal)
    }
}
