import Fluent
import OneCardDomain
import PersonalDataVault
import Vapor

/// The desk (櫃台): find an online application by ID number, application number or card number, check the
/// person's document, activate the card; for an active card, its standing (停權, 復權, 有效期限). Every look
/// at an application's personal data is audited.
struct DeskController: RouteCollection {
    static let roles: Set<StaffMember.Role> = [.desk, .admin]

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.deskApplications, use: search)
        routes.get(.deskApplication(id: .key), use: show)
        routes.post(.deskActivate(id: .key), use: activate)
        routes.post(.deskUpgrade(id: .key), use: upgrade)
        routes.post(.deskSuspend(id: .key), use: suspend)
        routes.post(.deskReinstate(id: .key), use: reinstate)
        routes.post(.deskValidUntil(id: .key), use: changeValidUntil)
    }

    struct SearchPage: Encodable {
        struct Row: Encodable {
            let id: String
            let applicationNumber: String
            let name: String
            let maskedID: String
            let statusKey: String
            let appliedAt: String
        }

        let query: String
        let searched: Bool
        let rows: [Row]
    }

    /// Staff of a library see their own patrons and those who linked their library, no one else.
    static func visible(_ patron: Patron, to staff: StaffMember, on database: any Database) async throws -> Bool {
        try await PatronVisibility.isVisible(patron, toLibrary: staff.$library.id, on: database)
    }

    @Sendable
    func search(req: Request) async throws -> View {
        let staff = try await req.requireStaff(Self.roles)
        let query = (req.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespaces)
        var found: [Patron] = []
        if !query.isEmpty {
            let normalized = IdentityNumber.normalize(query)
            let index = req.application.vault.blindIndex(normalized, context: CardApplicationService.idNumberContext)
            // A card number too: the desk scans an active card to suspend, reinstate or extend it.
            found = try await Patron.query(on: req.db).group(.or) {
                $0.filter(\.$idNumberIndex == index).filter(\.$applicationNumber == normalized).filter(\.$cardNumber == normalized)
            }.all()
            var visible: [Patron] = []
            for patron in found where try await Self.visible(patron, to: staff, on: req.db) { visible.append(patron) }
            found = visible
            try await AuditTrail.record("patron.searched", by: .staff(staff.id!, ipAddress: req.clientAddress),
                                        libraryID: staff.$library.id, details: ["results": String(found.count)], at: req.now, on: req.db)
        }
        let vault = req.application.vault
        let rows = try found.map { patron in
            let idNumber = try patron.idNumberSealed.map { try vault.open($0, context: CardApplicationService.idNumberContext) }
            return SearchPage.Row(
                id: try patron.requireID().uuidString, applicationNumber: patron.applicationNumber, name: patron.name,
                maskedID: idNumber.flatMap { try? IdentityNumber.parse($0).get().masked } ?? "—",
                statusKey: Self.statusKey(patron, now: req.now),
                appliedAt: Self.dateTime(patron.appliedAt))
        }
        return try await req.view.render("staff/applications", SearchPage(query: query, searched: !query.isEmpty, rows: rows))
    }

    struct DetailPage: Encodable {
        let id: String
        let applicationNumber: String
        let statusKey: String
        let isPending: Bool
        /// An active digital card: the desk can upgrade it to a physical card after checking the ID.
        let canUpgrade: Bool
        let cardKindKey: String
        /// A digital card application waiting for a reviewer, not for the desk.
        let awaitsReview: Bool
        let cardTypeKey: String
        /// 家庭證: what the applicant gave from the household register (戶口名簿), for the clerk to compare.
        let household: Household?
        let documentKindKey: String
        let idNumber: String
        let passportCountry: String?
        let name: String
        let genderKey: String
        let birthDate: String
        let mobile: String?
        let homePhone: String?
        let email: String?
        let cardNumber: String?
        let partners: [String]
        let appliedAt: String
        let notice: String?
        let error: String?
        let easyCard: String
        /// The bound EasyCard/iPASS, last four digits only.
        let boundEasyCard: String?
        /// An active card: the desk can suspend, reinstate and change its 有效期限.
        let isActive: Bool
        let isSuspended: Bool
        /// `standing.good` / `standing.expired` / `standing.suspended`, for an active card.
        let standingKey: String?
        let validUntil: String?
        let suspendedSince: String?
        let suspensionReason: String?
        /// One message per field, beside the field (the summary repeats it).
        let errors: [String: String]
        /// What was typed, shown again after a refusal.
        let validUntilInput: String
        let reasonInput: String
    }

    /// The status as the desk says it: for an active card, its standing (停權中, 已逾期) when not good.
    static func statusKey(_ patron: Patron, now: Date) -> String {
        switch patron.standing(at: now) {
        case .suspended?: "standing.suspended"
        case .expired?: "standing.expired"
        case .good?, nil: "desk.status.\(patron.status.rawValue)"
        }
    }

    /// What a refused form shows again.
    struct Typed {
        var easyCard = ""
        var validUntil: String?
        var reason = ""
    }

    struct Household: Encodable {
        let number: String
        let headName: String
        /// Masked: the clerk compares it with the register; the full number is not needed for that.
        let headMaskedID: String
    }

    static func household(of patron: Patron, vault: PersonalDataVault) throws -> Household? {
        guard let sealed = patron.householdSealed else { return nil }
        let parts = try vault.open(sealed, context: CardApplicationService.householdContext)
            .split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else { return nil }
        return Household(number: parts[0], headName: parts[1],
                         headMaskedID: (try? IdentityNumber.parse(parts[2]).get().masked) ?? "—")
    }

    static func dateTime(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = .taipei
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }

    private func loadVisible(_ req: Request, staff: StaffMember) async throws -> Patron {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let patron = try await Patron.find(id, on: req.db),
              try await Self.visible(patron, to: staff, on: req.db)
        else { throw OneCardError.notFound }
        return patron
    }

    private func detail(_ req: Request, patron: Patron, notice: String? = nil, error: DeskError? = nil, typed: Typed = Typed()) async throws -> DetailPage {
        let vault = req.application.vault
        let idNumber = try patron.idNumberSealed.map { try vault.open($0, context: CardApplicationService.idNumberContext) } ?? "—"
        let links = try await PartnerLink.query(on: req.db).filter(\.$patron.$id == patron.requireID())
            .with(\.$partnerService).all()
        return DetailPage(
            id: try patron.requireID().uuidString, applicationNumber: patron.applicationNumber,
            statusKey: "desk.status.\(patron.status.rawValue)", isPending: patron.status == .pending && patron.cardKind == .physical,
            canUpgrade: patron.status == .active && patron.cardKind == .digital,
            cardKindKey: patron.cardKind == .digital ? "reader.card.digital" : "reader.card.physical",
            awaitsReview: patron.status == .pending && patron.cardKind == .digital,
            cardTypeKey: "apply.card_type.\(patron.cardType)", household: try Self.household(of: patron, vault: vault),
            documentKindKey: "apply.document_kind.\(patron.documentKind ?? "nationalID")",
            idNumber: idNumber, passportCountry: patron.passportCountry, name: patron.name,
            genderKey: "apply.gender.\(patron.gender ?? "other")", birthDate: patron.birthDate ?? "—",
            mobile: patron.mobile, homePhone: patron.homePhone, email: patron.email, cardNumber: patron.cardNumber,
            partners: links.map { $0.partnerService.name(in: req.locale) },
            appliedAt: Self.dateTime(patron.appliedAt), notice: notice, error: error.map { req.t($0.messageKey) }, easyCard: typed.easyCard,
            boundEasyCard: try patron.easyCardSealed.map { "••••" + String(try vault.open($0, context: CardActivationService.easyCardContext).suffix(4)) },
            isActive: patron.status == .active, isSuspended: patron.status == .active && patron.suspendedAt != nil,
            standingKey: patron.standing(at: req.now).map { "standing.\($0.rawValue)" },
            validUntil: patron.cardValidUntil, suspendedSince: patron.suspendedAt.map(Self.dateTime),
            suspensionReason: patron.suspensionReason,
            errors: error.flatMap { error in error.field.map { [$0: req.t(error.messageKey)] } } ?? [:],
            validUntilInput: typed.validUntil ?? patron.cardValidUntil ?? "", reasonInput: typed.reason)
    }

    @Sendable
    func show(req: Request) async throws -> View {
        let staff = try await req.requireStaff(Self.roles)
        let patron = try await loadVisible(req, staff: staff)
        try await AuditTrail.record("patron.viewed", by: .staff(staff.id!, ipAddress: req.clientAddress),
                                    subject: ("patron", patron.id!.uuidString), libraryID: patron.$library.id, at: req.now, on: req.db)
        let notice = req.query[String.self, at: "activated"] != nil ? req.t("desk.activated", ["card": patron.cardNumber ?? ""])
            : req.query[String.self, at: "upgraded"] != nil ? req.t("desk.upgraded", ["card": patron.cardNumber ?? ""])
            : req.query[String.self, at: "standing"].flatMap { Self.standingNotices.contains($0) ? req.t("desk.standing.done.\($0)") : nil }
        return try await req.view.render("staff/application", try await detail(req, patron: patron, notice: notice))
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
        let patron = try await loadVisible(req, staff: staff)
        let form = try req.content.decode(ActivateForm.self)
        do {
            try await CardActivationService(app: req.application, now: req.now).activate(
                patron, documentChecked: form.documentChecked == "yes", easyCard: form.easyCard ?? "",
                validUntil: form.validUntil ?? "", by: staff, ipAddress: req.clientAddress, on: req.db)
        } catch let error as DeskError {
            // As stored now: another clerk may have just activated it.
            let current = try await Patron.find(patron.requireID(), on: req.db) ?? patron
            let page = try await detail(req, patron: current, error: error,
                                        typed: Typed(easyCard: form.easyCard ?? "", validUntil: form.validUntil ?? ""))
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
        let patron = try await loadVisible(req, staff: staff)
        let form = try req.content.decode(UpgradeForm.self)
        do {
            try await CardActivationService(app: req.application, now: req.now).upgradeToPhysical(
                patron, documentChecked: form.documentChecked == "yes", by: staff, ipAddress: req.clientAddress, on: req.db)
        } catch let error as DeskError {
            let page = try await detail(req, patron: patron, error: error)
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
        _ req: Request, notice: String, typed: Typed,
        _ change: (CardStandingService, Patron, StaffMember) async throws -> Void
    ) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let patron = try await loadVisible(req, staff: staff)
        do {
            try await change(CardStandingService(app: req.application, now: req.now), patron, staff)
        } catch let error as DeskError {
            let page = try await detail(req, patron: patron, error: error, typed: typed)
            return try await req.view.render("staff/application", page).encodeResponse(status: HTTPErrorMapping.status(for: error), for: req)
        }
        return req.redirect(to: SiteURL.deskApplication(id: .value(patron.id!)).path + "?standing=\(notice)", redirectType: .normal)
    }

    /// 停權: the card stays active and is still found (sign-in, SIP2), but may not borrow, renew or reserve.
    @Sendable
    func suspend(req: Request) async throws -> Response {
        let reason = try req.content.decode(SuspendForm.self).reason ?? ""
        return try await changeStanding(req, notice: "suspended", typed: Typed(reason: reason)) { service, patron, staff in
            try await service.suspend(patron, reason: reason, by: staff, ipAddress: req.clientAddress, on: req.db)
        }
    }

    /// 復權.
    @Sendable
    func reinstate(req: Request) async throws -> Response {
        try await changeStanding(req, notice: "reinstated", typed: Typed()) { service, patron, staff in
            try await service.reinstate(patron, by: staff, ipAddress: req.clientAddress, on: req.db)
        }
    }

    /// 延長效期: a new 有效期限, or none.
    @Sendable
    func changeValidUntil(req: Request) async throws -> Response {
        let validUntil = try req.content.decode(ValidUntilForm.self).validUntil ?? ""
        return try await changeStanding(req, notice: "valid_until_changed", typed: Typed(validUntil: validUntil)) { service, patron, staff in
            try await service.changeValidUntil(patron, to: validUntil, by: staff, ipAddress: req.clientAddress, on: req.db)
        }
    }
}
