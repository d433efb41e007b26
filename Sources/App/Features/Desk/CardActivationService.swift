import Fluent
import Foundation
import OneCardDomain
import PersonalDataVault
import SQLKit
import Vapor

/// Completing an online application at a desk: the card number, an optional EasyCard/iPASS, the
/// pending partner links, the reader's email — all in one transaction.
struct CardActivationService {
    static let easyCardContext = "easyCard"
    let vault: PersonalDataVault
    /// Queues the reader's email in the activation's transaction.
    let outbox: Outbox
    let now: Date

    /// EasyCard (悠遊卡) and iPASS (一卡通) numbers as printed or read: 8 to 20 digits.
    static func normalizeEasyCard(_ raw: String) -> String? {
        let digits = raw.precomposedStringWithCompatibilityMapping.filter { !$0.isWhitespace && $0 != "-" }
        return (8...20).contains(digits.count) && digits.allSatisfy({ $0.isASCII && $0.isNumber }) ? digits : nil
    }

    /// `validUntil` is the card's optional 有效期限 as typed (e.g. the end of a passport holder's or
    /// resident's permit): empty for no end, never before today.
    func activate(_ patron: Patron, documentChecked: Bool, easyCard rawEasyCard: String, validUntil rawValidUntil: String = "",
                  by staff: StaffMember, ipAddress: String?, on database: any Database) async throws {
        try PatronAuthority.requireChange(patron, staff: staff)
        // A digital card application is decided by a reviewer; the desk upgrades the card once it is active.
        guard patron.status == .pending, patron.cardKind == .physical else { throw DeskError.notPending }
        guard documentChecked else { throw DeskError.documentNotChecked }
        let trimmed = rawEasyCard.trimmingCharacters(in: .whitespaces)
        let easyCard = trimmed.isEmpty ? nil : Self.normalizeEasyCard(trimmed)
        if !trimmed.isEmpty, easyCard == nil { throw DeskError.easyCardInvalid }
        let validUntil: CalendarDay?
        switch CardValidity.parseValidUntil(rawValidUntil, today: CalendarDay(date: now, timeZone: .taipei)) {
        case .success(let day): validUntil = day
        case .failure(let error): throw DeskError(error)
        }
        let library = try await patron.$library.get(on: database)
        let before = (patron.status, patron.cardNumber, patron.easyCardIndex, patron.easyCardSealed, patron.activatedAt, patron.activatedBy)
        let validUntilBefore = patron.cardValidUntil
        do {
            try await database.transaction { db in
                // Two clerks may open the same application: pending → active is claimed by one conditional
                // change, so the second finds nothing pending and is told so instead of issuing a second card.
                guard try await Self.claimPending(patron, on: db) else { throw DeskError.notPending }
                patron.cardNumber = try await CardNumbers.next(for: library, on: db).value
                if let easyCard {
                    patron.easyCardIndex = vault.blindIndex(easyCard, context: Self.easyCardContext)
                    patron.easyCardSealed = try vault.seal(easyCard, context: Self.easyCardContext)
                }
                patron.status = .active
                patron.activatedAt = now
                patron.activatedBy = staff.id
                patron.cardValidUntil = validUntil?.iso
                try await patron.save(on: db)
                try await PartnerLink.query(on: db).filter(\.$patron.$id == patron.requireID()).filter(\.$status == .pending)
                    .set(\.$status, to: .active).set(\.$activatedAt, to: now).update()
                // The links chosen in the application start with the card: their partners hear of them now.
                try await PartnerEvents.enqueueForLinkedPartners(.linkCreated, patron: patron, now: now, on: db)
                try await AuditTrail.record("card.activated", by: .staff(staff.id!, ipAddress: ipAddress),
                                            subject: ("patron", patron.id!.uuidString), libraryID: library.id,
                                            details: ["easyCardBound": easyCard == nil ? "no" : "yes",
                                                      "validUntil": validUntil?.iso ?? "none"], at: now, on: db)
                if let email = patron.email {
                    let locale = SiteLocale(rawValue: patron.locale) ?? .zhTW
                    try await outbox.enqueueEmail(
                        template: "card_activated", to: email, locale: locale,
                        values: ["name": patron.name, "card": patron.cardNumber ?? "",
                                 "library": library.name(in: locale), "login": outbox.link(.service(.signIn))],
                        from: library, partitionKey: PatronMail.partitionKey(patron.requireID()), on: db)
                }
            }
        } catch {
            // Nothing was saved: the patron in hand must not show a card or an EasyCard it does not have.
            (patron.status, patron.cardNumber, patron.easyCardIndex, patron.easyCardSealed, patron.activatedAt, patron.activatedBy) = before
            patron.cardValidUntil = validUntilBefore
            if let error = error as? any DatabaseError, error.isConstraintFailure { throw DeskError.easyCardTaken }
            throw error
        }
    }

    /// Marks the application active if, and only if, it is still pending; false when another activation came first.
    private static func claimPending(_ patron: Patron, on db: any Database) async throws -> Bool {
        let sql = db as! any SQLDatabase
        return try await sql.raw("""
            UPDATE \(ident: Patron.schema) SET status = \(bind: Patron.Status.active.rawValue)
            WHERE id = \(bind: patron.requireID()) AND status = \(bind: Patron.Status.pending.rawValue) RETURNING id
            """).first() != nil
    }
}

extension CardActivationService {
    func upgradeToPhysical(_ patron: Patron, documentChecked: Bool, by staff: StaffMember, ipAddress: String?,
                           on database: any Database) async throws {
        try PatronAuthority.requireChange(patron, staff: staff)
        guard patron.status == .active, patron.cardKind == .digital else { throw DeskError.notDigital }
        guard documentChecked else { throw DeskError.documentNotChecked }
        try await database.transaction { db in
            patron.cardKind = .physical
            try await patron.save(on: db)
            try await AuditTrail.record("card.upgraded_to_physical", by: .staff(staff.id!, ipAddress: ipAddress),
                                        subject: ("patron", patron.id!.uuidString), libraryID: staff.$library.id, at: now, on: db)
            try await PartnerEvents.enqueueForLinkedPartners(.patronUpdated, patron: patron, now: now, on: db)
        }
    }
}
