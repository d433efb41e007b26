import Fluent
import OneCardDomain
import PersonalDataVault
import Vapor

/// The desk (櫃臺): find an online application by ID number, application number or card number, check the
/// person's document, activate the card; for an active card, its standing (停權, 復權, 有效期限). Every look
/// at an application's personal data is audited.
struct DeskController: RouteCollection {
    static let roles: Set<StaffMember.Role> = [.desk, .admin]

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.deskApplications, use: search)
        routes.get(.deskApplication(id: .key), use: show)
        routes.post(.deskActivate(id: .key), maximumBytes: .form, use: activate)
        routes.post(.deskUpgrade(id: .key), maximumBytes: .form, use: upgrade)
        routes.post(.deskSuspend(id: .key), maximumBytes: .form, use: suspend)
        routes.post(.deskReinstate(id: .key), maximumBytes: .form, use: reinstate)
        routes.post(.deskValidUntil(id: .key), maximumBytes: .form, use: changeValidUntil)
    }

    /// Staff of a library see their own patrons and those who linked their library, no one else; only
    /// the home library's staff change them (`PatronAuthority`).
    static func visible(_ patron: Patron, to staff: StaffMember, on database: any Database) async throws -> Bool {
        try await PatronAuthority.maySee(patron, staff: staff, on: database)
    }

    @Sendable
    func search(req: Request) async throws -> View {
        let staff = try await req.requireStaff(Self.roles)
        let query = (req.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespaces)
        let page = try await DeskApplicationsPage.query(query, staff: staff, ipAddress: req.clientAddress, database: req.db,
                                                        vault: req.application.vault, now: req.now)
        return try await req.view.render("staff/applications", page)
    }

    /// The status as the desk says it: for an active card, its standing (停權中, 已逾期) when not good.
    static func statusKey(_ patron: Patron, now: Date) -> String {
        switch patron.standing(at: now) {
        case .suspended?: "standing.suspended"
        case .expired?: "standing.expired"
        case .good?, nil: "desk.status.\(patron.status.rawValue)"
        }
    }

    private func activation(_ req: Request) -> CardActivationService {
        let now = req.now
        return CardActivationService(vault: req.application.vault, outbox: Outbox(localizer: req.application.localizer,
                                                                                 settings: req.application.settings, vault: req.application.vault, now: now), now: now)
    }

    private func standing(_ req: Request) -> CardStandingService {
        let now = req.now
        return CardStandingService(outbox: Outbox(localizer: req.application.localizer, settings: req.application.settings, vault: req.application.vault, now: now),
                                   localizer: req.application.localizer, now: now)
    }

    private func pages(_ req: Request) -> DeskApplicationPage.Query {
        DeskApplicationPage.Query(database: req.db, vault: req.application.vault, localizer: req.application.localizer,
                                  locale: req.locale, now: req.now)
    }

    @Sendable
    func show(req: Request) async throws -> View {
        let staff = try await req.requireStaff(Self.roles)
        var page = try await pages(req).viewed(req.parameters.get("id"), by: staff, ipAddress: req.clientAddress)
        page.notice = req.query[String.self, at: "activated"] != nil ? req.t("desk.activated", ["card": page.cardNumber ?? ""])
            : req.query[String.self, at: "upgraded"] != nil ? req.t("desk.upgraded", ["card": page.cardNumber ?? ""])
            : req.query[String.self, at: "standing"].flatMap { Self.standingNotices.contains($0) ? req.t("desk.standing.done.\($0)") : nil }
        return try await req.view.render("staff/application", page)
    }

    static let standingNotices: Set<String> = ["suspended", "reinstated", "valid_until_changed"]

    struct ActivateForm: Content {
        var documentChecked: String?
        var easyCard: String?
        var validUntil: String?
    }

    @Sendable
    func activate(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let patron = try await pages(req).visiblePatron(req.parameters.get("id"), to: staff)
        let form = try req.content.decode(ActivateForm.self)
        do {
            try await activation(req).activate(
                patron, documentChecked: form.documentChecked == "yes", easyCard: form.easyCard ?? "",
                validUntil: form.validUntil ?? "", by: staff, ipAddress: req.clientAddress, on: req.db)
        } catch let error as DeskError {
            // As stored now: another clerk may have just activated it.
            let page = try await pages(req).refused(patron, error: error, staff: staff, typed: .init(easyCard: form.easyCard ?? "", validUntil: form.validUntil ?? ""),
                                                    reload: true)
            return try await req.view.render("staff/application", page).encodeResponse(status: HTTPErrorMapping.status(for: error), for: req)
        }
        return req.redirect(to: SiteURL.deskApplication(id: .value(patron.id!)).path + "?activated=1", redirectType: .normal)
    }

    struct UpgradeForm: Content {
        var documentChecked: String?
    }

    /// 數位借閱證 → 實體借閱證, after the clerk has seen the person's ID; the card number stays.
    @Sendable
    func upgrade(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let patron = try await pages(req).visiblePatron(req.parameters.get("id"), to: staff)
        let form = try req.content.decode(UpgradeForm.self)
        do {
            try await activation(req).upgradeToPhysical(
                patron, documentChecked: form.documentChecked == "yes", by: staff, ipAddress: req.clientAddress, on: req.db)
        } catch let error as DeskError {
            let page = try await pages(req).refused(patron, error: error, staff: staff)
            return try await req.view.render("staff/application", page).encodeResponse(status: HTTPErrorMapping.status(for: error), for: req)
        }
        return req.redirect(to: SiteURL.deskApplication(id: .value(patron.id!)).path + "?upgraded=1", redirectType: .normal)
    }

    // MARK: Standing (停權, 復權, 有效期限)

    struct SuspendForm: Content {
        var reason: String?
    }

    struct ValidUntilForm: Content {
        var validUntil: String?
    }

    /// Runs one standing change; a refusal (nothing written) shows the page again with the message beside
    /// its field and what was typed.
    private func changeStanding(
        _ req: Request, notice: String, typed: DeskApplicationPage.Typed,
        _ change: (CardStandingService, Patron, StaffMember) async throws -> Void
    ) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let patron = try await pages(req).visiblePatron(req.parameters.get("id"), to: staff)
        do {
            try await change(standing(req), patron, staff)
        } catch let error as DeskError {
            let page = try await pages(req).refused(patron, error: error, staff: staff, typed: typed)
            return try await req.view.render("staff/application", page).encodeResponse(status: HTTPErrorMapping.status(for: error), for: req)
        }
        return req.redirect(to: SiteURL.deskApplication(id: .value(patron.id!)).path + "?standing=\(notice)", redirectType: .normal)
    }

    /// 停權: the card stays active and is still found (sign-in, SIP2), but may not borrow, renew or reserve.
    @Sendable
    func suspend(req: Request) async throws -> Response {
        let reason = try req.content.decode(SuspendForm.self).reason ?? ""
        return try await changeStanding(req, notice: "suspended", typed: DeskApplicationPage.Typed(reason: reason)) { service, patron, staff in
            try await service.suspend(patron, reason: reason, by: staff, ipAddress: req.clientAddress, on: req.db)
        }
    }

    /// 復權.
    @Sendable
    func reinstate(req: Request) async throws -> Response {
        try await changeStanding(req, notice: "reinstated", typed: DeskApplicationPage.Typed()) { service, patron, staff in
            try await service.reinstate(patron, by: staff, ipAddress: req.clientAddress, on: req.db)
        }
    }

    /// 延長效期: a new 有效期限, or none.
    @Sendable
    func changeValidUntil(req: Request) async throws -> Response {
        let validUntil = try req.content.decode(ValidUntilForm.self).validUntil ?? ""
        return try await changeStanding(req, notice: "valid_until_changed", typed: DeskApplicationPage.Typed(validUntil: validUntil)) { service, patron, staff in
            try await service.changeValidUntil(patron, to: validUntil, by: staff, ipAddress: req.clientAddress, on: req.db)
        }
    }
}
