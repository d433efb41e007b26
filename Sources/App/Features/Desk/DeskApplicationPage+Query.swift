import Fluent
import Foundation
import OneCardDomain
import PersonalDataVault

extension DeskApplicationPage {
    /// The database work of the desk's application page: finding a card the staff member's library may
    /// see, auditing each look at it, and opening what is sealed for the clerk to compare.
    struct Query {
        let database: any Database
        let vault: PersonalDataVault
        let localizer: Localizer
        let locale: SiteLocale
        let now: Date

        /// Staff of a library see their own patrons and those who linked their library; anyone else is
        /// "not found", as is an id that names no one.
        func visiblePatron(_ rawID: String?, to staff: StaffMember) async throws -> Patron {
            guard let id = rawID.flatMap(UUID.init(uuidString:)),
                  let patron = try await Patron.find(id, on: database),
                  try await DeskController.visible(patron, to: staff, on: database)
            else { throw OneCardError.notFound }
            return patron
        }

        /// The page as a clerk opens it: every look at an application's personal data is audited, in the
        /// trail of the library that looked (a partner library's desk answers for its own looks), not the
        /// patron's home library's.
        func viewed(_ rawID: String?, by staff: StaffMember, ipAddress: String?) async throws -> DeskApplicationPage {
            let patron = try await visiblePatron(rawID, to: staff)
            try await AuditTrail.record("patron.viewed", by: .staff(staff.id!, ipAddress: ipAddress),
                                        subject: ("patron", patron.id!.uuidString), libraryID: staff.$library.id, at: now, on: database)
            return try await page(for: patron, staff: staff)
        }

        /// The page again after a refused change, with the message beside its field and what was typed.
        /// `reload` reads the card as stored now (another clerk may have just activated it).
        func refused(_ patron: Patron, error: DeskError, staff: StaffMember, typed: Typed = Typed(),
                     reload: Bool = false) async throws -> DeskApplicationPage {
            let current = reload ? try await Patron.find(patron.requireID(), on: database) ?? patron : patron
            return try await page(for: current, staff: staff, error: error, typed: typed)
        }

        private func t(_ key: String) -> String { localizer.text(key, locale) }

        /// The forms that change the record are offered to the home library's staff only (`PatronAuthority`).
        func page(for patron: Patron, staff: StaffMember, error: DeskError? = nil, typed: Typed = Typed()) async throws -> DeskApplicationPage {
            let home = try await patron.$library.get(on: database)
            let idNumber = try patron.idNumberSealed.map { try vault.open($0, context: CardApplicationService.idNumberContext) } ?? "—"
            let links = try await PartnerLink.query(on: database).filter(\.$patron.$id == patron.requireID())
                .with(\.$partnerService).all()
            return DeskApplicationPage(
                id: try patron.requireID().uuidString, applicationNumber: patron.applicationNumber,
                statusKey: "desk.status.\(patron.status.rawValue)", isPending: patron.status == .pending && patron.cardKind == .physical,
                canUpgrade: patron.status == .active && patron.cardKind == .digital,
                cardKindKey: patron.cardKind == .digital ? "reader.card.digital" : "reader.card.physical",
                awaitsReview: patron.status == .pending && patron.cardKind == .digital,
                cardTypeKey: "apply.card_type.\(patron.cardType)", household: try DeskApplicationPage.household(of: patron, vault: vault),
                documentKindKey: "apply.document_kind.\(patron.documentKind ?? "nationalID")",
                idNumber: idNumber, passportCountry: patron.passportCountry, name: patron.name,
                genderKey: "apply.gender.\(patron.gender ?? "other")", birthDate: patron.birthDate ?? "—",
                mobile: patron.mobile, homePhone: patron.homePhone, email: patron.email, cardNumber: patron.cardNumber,
                partners: links.map { $0.partnerService.name(in: locale) },
                appliedAt: DisplayTime.minute(patron.appliedAt, in: locale), notice: nil, error: error.map { t($0.messageKey) },
                easyCard: typed.easyCard,
                boundEasyCard: try patron.easyCardSealed.map { "••••" + String(try vault.open($0, context: CardActivationService.easyCardContext).suffix(4)) },
                isActive: patron.status == .active, isSuspended: patron.status == .active && patron.suspendedAt != nil,
                standingKey: patron.standing(at: now).map { "standing.\($0.rawValue)" },
                validUntil: patron.cardValidUntil, suspendedSince: patron.suspendedAt.map { DisplayTime.minute($0, in: locale) },
                suspensionReason: patron.suspensionReason,
                errors: error.flatMap { error in error.field.map { [$0: t(error.messageKey)] } } ?? [:],
                validUntilInput: typed.validUntil ?? patron.cardValidUntil ?? "", reasonInput: typed.reason,
                mayChange: PatronAuthority.mayChange(patron, staff: staff), homeLibrary: home.name(in: locale),
                activatePath: SiteURL.deskActivate(id: .value(try patron.requireID())).path,
                upgradePath: SiteURL.deskUpgrade(id: .value(try patron.requireID())).path,
                reinstatePath: SiteURL.deskReinstate(id: .value(try patron.requireID())).path,
                suspendPath: SiteURL.deskSuspend(id: .value(try patron.requireID())).path,
                validUntilPath: SiteURL.deskValidUntil(id: .value(try patron.requireID())).path)
        }
    }
}
