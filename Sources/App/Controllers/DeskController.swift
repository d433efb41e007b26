import Fluent
import OneCardDomain
import PersonalDataVault
import Vapor

/// The desk (櫃台): find an online application by ID number or application number, check the person's
/// document, activate the card. Every look at an application's personal data is audited.
struct DeskController: RouteCollection {
    static let roles: Set<StaffMember.Role> = [.desk, .admin]

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.deskApplications, use: search)
        routes.get(.deskApplication(id: ""), use: show)
        routes.post(.deskActivate(id: ""), use: activate)
        routes.post(.deskUpgrade(id: ""), use: upgrade)
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
            found = try await Patron.query(on: req.db).group(.or) {
                $0.filter(\.$idNumberIndex == index).filter(\.$applicationNumber == normalized)
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
                statusKey: "desk.status.\(patron.status.rawValue)",
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
        formatter.timeZone = OneCardClock.taipei
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

    private func detail(_ req: Request, patron: Patron, notice: String? = nil, error: String? = nil, easyCard: String = "") async throws -> DetailPage {
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
            partners: links.map { req.locale == .en ? $0.partnerService.nameEN : $0.partnerService.nameZH },
            appliedAt: Self.dateTime(patron.appliedAt), notice: notice, error: error, easyCard: easyCard,
            boundEasyCard: try patron.easyCardSealed.map { "••••" + String(try vault.open($0, context: CardActivationService.easyCardContext).suffix(4)) })
    }

    @Sendable
    func show(req: Request) async throws -> View {
        let staff = try await req.requireStaff(Self.roles)
        let patron = try await loadVisible(req, staff: staff)
        try await AuditTrail.record("patron.viewed", by: .staff(staff.id!, ipAddress: req.clientAddress),
                                    subject: ("patron", patron.id!.uuidString), libraryID: patron.$library.id, at: req.now, on: req.db)
        let notice = req.query[String.self, at: "activated"] != nil ? req.t("desk.activated", ["card": patron.cardNumber ?? ""])
            : req.query[String.self, at: "upgraded"] != nil ? req.t("desk.upgraded", ["card": patron.cardNumber ?? ""]) : nil
        return try await req.view.render("staff/application", try await detail(req, patron: patron, notice: notice))
    }

    struct ActivateForm: Content {
        var documentChecked: String?
        var easyCard: String?
    }

    @Sendable
    func activate(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let patron = try await loadVisible(req, staff: staff)
        let form = try req.content.decode(ActivateForm.self)
        do {
            try await CardActivationService(app: req.application, now: req.now).activate(
                patron, documentChecked: form.documentChecked == "yes", easyCard: form.easyCard ?? "",
                by: staff, ipAddress: req.clientAddress, on: req.db)
        } catch let error as DeskError {
            // As stored now: another clerk may have just activated it.
            let current = try await Patron.find(patron.requireID(), on: req.db) ?? patron
            let page = try await detail(req, patron: current, error: req.t(error.messageKey), easyCard: form.easyCard ?? "")
            return try await req.view.render("staff/application", page).encodeResponse(status: error.status, for: req)
        }
        return req.redirect(to: SiteURL.deskApplication(id: patron.id!.uuidString).path + "?activated=1", redirectType: .normal)
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
            let page = try await detail(req, patron: patron, error: req.t(error.messageKey))
            return try await req.view.render("staff/application", page).encodeResponse(status: error.status, for: req)
        }
        return req.redirect(to: SiteURL.deskApplication(id: patron.id!.uuidString).path + "?upgraded=1", redirectType: .normal)
    }
}
