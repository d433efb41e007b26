import Fluent
import Foundation
import OneCardDomain
import Vapor

/// A desk's changes to an active card's standing: 停權 (suspend, with a reason), 復權 (reinstate) and
/// 延長效期 (a new or no 有效期限). Each is one transaction with its audit entry, the reader's email and
/// the linked partners' events; nothing is written when a rule refuses.
///
/// The audit entry names what changed but never the reason's text, which may name the person; the
/// reason is kept on the card (erased with it) and told to the reader.
struct CardStandingService {
    /// Queues the reader's email in the change's transaction.
    let outbox: Outbox
    /// For the words of an email value ("no end date"), in the reader's language.
    let localizer: Localizer
    let now: Date

    var today: CalendarDay { CalendarDay(date: now, timeZone: .taipei) }

    func suspend(_ patron: Patron, reason rawReason: String, by staff: StaffMember, ipAddress: String?,
                 on database: any Database) async throws {
        try PatronAuthority.requireChange(patron, staff: staff)
        guard patron.status == .active else { throw DeskError.notActive }
        guard patron.suspendedAt == nil else { throw DeskError.alreadySuspended }
        let reason: String
        switch CardValidity.validateReason(rawReason) {
        case .success(let text): reason = text
        case .failure(let error): throw DeskError(error)
        }
        try await database.transaction { db in
            patron.suspendedAt = now
            patron.suspensionReason = reason
            patron.suspendedBy = staff.id
            try await patron.save(on: db)
            try await record("card.suspended", patron, by: staff, ipAddress: ipAddress, on: db)
            try await PartnerEvents.enqueueForLinkedPartners(.patronSuspended, patron: patron, now: now, on: db)
            try await email("card_suspended", patron, ["reason": reason], on: db)
        }
    }

    func reinstate(_ patron: Patron, by staff: StaffMember, ipAddress: String?, on database: any Database) async throws {
        try PatronAuthority.requireChange(patron, staff: staff)
        guard patron.status == .active else { throw DeskError.notActive }
        guard let since = patron.suspendedAt else { throw DeskError.notSuspended }
        try await database.transaction { db in
            patron.suspendedAt = nil
            patron.suspensionReason = nil
            patron.suspendedBy = nil
            try await patron.save(on: db)
            try await record("card.reinstated", patron, by: staff, ipAddress: ipAddress,
                             details: ["suspendedSince": CalendarDay(date: since, timeZone: .taipei).iso], on: db)
            try await PartnerEvents.enqueueForLinkedPartners(.patronReinstated, patron: patron, now: now, on: db)
            try await email("card_reinstated", patron, [:], on: db)
        }
    }

    /// A new 有效期限 (not before today), or none when `rawValidUntil` is empty.
    func changeValidUntil(_ patron: Patron, to rawValidUntil: String, by staff: StaffMember, ipAddress: String?,
                          on database: any Database) async throws {
        try PatronAuthority.requireChange(patron, staff: staff)
        guard patron.status == .active else { throw DeskError.notActive }
        let validUntil: CalendarDay?
        switch CardValidity.parseValidUntil(rawValidUntil, today: today) {
        case .success(let day): validUntil = day
        case .failure(let error): throw DeskError(error)
        }
        let previous = patron.cardValidUntil
        try await database.transaction { db in
            patron.cardValidUntil = validUntil?.iso
            try await patron.save(on: db)
            try await record("card.valid_until_changed", patron, by: staff, ipAddress: ipAddress,
                             details: ["from": previous ?? "none", "to": validUntil?.iso ?? "none"], on: db)
            try await PartnerEvents.enqueueForLinkedPartners(.patronUpdated, patron: patron, now: now, on: db)
            let locale = SiteLocale(rawValue: patron.locale) ?? .zhTW
            let text = validUntil.map { DisplayTime.day($0, in: locale) } ?? localizer.text("standing.valid_until.none", locale)
            try await email("card_valid_until_changed", patron, ["validUntil": text], on: db)
        }
    }

    /// Filed under the card's home library, as looking at the card is, so its administrators see every
    /// change to their cards, also one made at a partner library's desk.
    private func record(_ action: String, _ patron: Patron, by staff: StaffMember, ipAddress: String?,
                        details: [String: String] = [:], on db: any Database) async throws {
        try await AuditTrail.record(action, by: .staff(try staff.requireID(), ipAddress: ipAddress),
                                    subject: ("patron", try patron.requireID().uuidString), libraryID: patron.$library.id,
                                    details: details, at: now, on: db)
    }

    /// The reader's email, in their language, from the card's home library.
    private func email(_ template: String, _ patron: Patron, _ values: [String: String], on db: any Database) async throws {
        guard let address = patron.email else { return }
        let locale = SiteLocale(rawValue: patron.locale) ?? .zhTW
        let library = try await patron.$library.get(on: db)
        try await outbox.enqueueEmail(
            template: template, to: address, locale: locale,
            values: values.merging(["name": patron.name, "card": patron.cardNumber ?? "",
                                    "library": library.name(in: locale)]) { $1 },
            from: library, partitionKey: PatronMail.partitionKey(patron.requireID()), on: db)
    }
}
