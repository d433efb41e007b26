import Fluent
import Foundation
import OneCardDomain
import SQLKit
import Vapor

enum DeskError: LocalizedAbortError, Equatable {
    case documentNotChecked
    case easyCardInvalid
    case easyCardTaken
    case notPending
    case notDigital
    // A card's standing (有效期限, 停權, 復權).
    case validUntilInvalid
    case validUntilPast
    case suspensionReasonRequired
    case suspensionReasonInvalid
    case notActive
    case alreadySuspended
    case notSuspended

    /// The domain's field errors of the desk's forms (each of them reports one field).
    init(_ errors: FieldErrors) {
        switch errors.errors.first?.code {
        case "valid_until_past": self = .validUntilPast
        case "suspension_reason_required": self = .suspensionReasonRequired
        case "suspension_reason_invalid": self = .suspensionReasonInvalid
        default: self = .validUntilInvalid
        }
    }

    var status: HTTPResponseStatus {
        switch self {
        case .documentNotChecked, .easyCardInvalid, .validUntilInvalid, .validUntilPast, .suspensionReasonRequired,
             .suspensionReasonInvalid: .unprocessableEntity
        case .easyCardTaken, .notPending, .notDigital, .notActive, .alreadySuspended, .notSuspended: .conflict
        }
    }

    /// The form field the message belongs beside, when there is one.
    var field: String? {
        switch self {
        case .easyCardInvalid, .easyCardTaken: "easyCard"
        case .validUntilInvalid, .validUntilPast: "validUntil"
        case .suspensionReasonRequired, .suspensionReasonInvalid: "reason"
        default: nil
        }
    }

    var code: String {
        switch self {
        case .documentNotChecked: "document_not_checked"
        case .easyCardInvalid: "easy_card_invalid"
        case .easyCardTaken: "easy_card_taken"
        case .notPending: "not_pending"
        case .notDigital: "not_digital"
        case .validUntilInvalid: "valid_until_invalid"
        case .validUntilPast: "valid_until_past"
        case .suspensionReasonRequired: "suspension_reason_required"
        case .suspensionReasonInvalid: "suspension_reason_invalid"
        case .notActive: "not_active"
        case .alreadySuspended: "already_suspended"
        case .notSuspended: "not_suspended"
        }
    }

    var messageKey: String { "desk.error.\(code)" }
}

/// Completing an online application at a desk: the card number, an optional EasyCard/iPASS, the
/// pending partner links, the reader's email — all in one transaction.
struct CardActivationService {
    static let easyCardContext = "easyCard"
    let app: Application
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
        // A digital card application is decided by a reviewer; the desk upgrades the card once it is active.
        guard patron.status == .pending, patron.cardKind == .physical else { throw DeskError.notPending }
        guard documentChecked else { throw DeskError.documentNotChecked }
        let trimmed = rawEasyCard.trimmingCharacters(in: .whitespaces)
        let easyCard = trimmed.isEmpty ? nil : Self.normalizeEasyCard(trimmed)
        if !trimmed.isEmpty, easyCard == nil { throw DeskError.easyCardInvalid }
        let validUntil: CalendarDay?
        switch CardValidity.parseValidUntil(rawValidUntil, today: CalendarDay(date: now, timeZone: CardValidity.taipei)) {
        case .success(let day): validUntil = day
        case .failure(let error): throw DeskError(error)
        }
        let library = try await patron.$library.get(on: database)
        do {
            try await database.transaction { db in
                patron.cardNumber = try await CardNumbers.next(for: library, on: db).value
                if let easyCard {
                    patron.easyCardIndex = app.vault.blindIndex(easyCard, context: Self.easyCardContext)
                    patron.easyCardSealed = try app.vault.seal(easyCard, context: Self.easyCardContext)
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
                    try await Outbox(localizer: app.localizer, settings: app.settings, now: now).enqueueEmail(
                        template: "card_activated", to: email, locale: locale,
                        values: ["name": patron.name, "card": patron.cardNumber ?? "",
                                 "library": locale == .en ? library.nameEN : library.nameZH],
                        on: db)
                }
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            patron.status = .pending
            patron.cardNumber = nil
            patron.cardValidUntil = nil
            throw DeskError.easyCardTaken
        }
    }
}

extension CardActivationService {
    func upgradeToPhysical(_ patron: Patron, documentChecked: Bool, by staff: StaffMember, ipAddress: String?,
                           on database: any Database) async throws {
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

/// Card numbers: the library's prefix and the next serial of its counter, taken inside the caller's
/// transaction (the row lock serializes concurrent activations; a rollback gives the serial back).
enum CardNumbers {
    static func next(for library: Library, on db: any Database) async throws -> CardNumber {
        let sql = db as! any SQLDatabase
        let row = try await sql.raw("""
            UPDATE card_number_counters SET last_serial = last_serial + 1
            WHERE library_id = \(bind: library.requireID()) RETURNING last_serial
            """).first()
        let serial = try row!.decode(column: "last_serial", as: Int.self)
        return CardNumber.make(prefix: library.cardPrefix, serial: serial)
    }
}

/// Applications not completed at a desk in time are expired and their personal data erased; the
/// application number and dates stay so the library can still answer "what happened to it?".
struct ApplicationExpiry {
    let app: Application
    let now: Date

    @discardableResult
    func run(on database: any Database) async throws -> Int {
        let cutoff = now.addingTimeInterval(-Double(app.settings.pendingApplicationLifetimeDays) * 86400)
        // Digital card applications wait for a reviewer, not a desk: `DigitalCardService.housekeeping` closes theirs.
        let stale = try await Patron.query(on: database).filter(\.$status == .pending).filter(\.$cardKind == .physical)
            .filter(\.$appliedAt < cutoff).all()
        for patron in stale {
            try await database.transaction { db in
                patron.status = .expired
                patron.erasePersonalData()
                try await patron.save(on: db)
                try await PartnerLink.query(on: db).filter(\.$patron.$id == patron.requireID()).delete()
                try await ConsentRecord.query(on: db).filter(\.$patron.$id == patron.requireID()).filter(\.$withdrawnAt == nil)
                    .set(\.$withdrawnAt, to: now).update()
                try await AuditTrail.record("card_application.expired", by: .system("expiry"), subject: ("patron", patron.id!.uuidString),
                                            libraryID: patron.$library.id, at: now, on: db)
            }
        }
        return stale.count
    }
}
