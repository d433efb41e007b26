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
        let before = (patron.status, patron.cardNumber, patron.easyCardIndex, patron.easyCardSealed, patron.activatedAt, patron.activatedBy)
        let validUntilBefore = patron.cardValidUntil
        do {
            try await database.transaction { db in
                // Two clerks may open the same application: pending → active is claimed by one conditional
                // change, so the second finds nothing pending and is told so instead of issuing a second card.
                guard try await Self.claimPending(patron, on: db) else { throw DeskError.notPending }
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
                        partitionKey: PatronMail.partitionKey(patron.requireID()), on: db)
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
            let erasedMail = try await database.transaction { db in
                patron.status = .expired
                patron.erasePersonalData()
                try await patron.save(on: db)
                let emails = try await PatronMail.erase(patronID: patron.requireID(), applicationNumber: patron.applicationNumber, on: db)
                try await PartnerLink.query(on: db).filter(\.$patron.$id == patron.requireID()).delete()
                try await ConsentRecord.query(on: db).filter(\.$patron.$id == patron.requireID()).filter(\.$withdrawnAt == nil)
                    .set(\.$withdrawnAt, to: now).update()
                try await AuditTrail.record("card_application.expired", by: .system("expiry"), subject: ("patron", patron.id!.uuidString),
                                            libraryID: patron.$library.id, details: ["messagesErased": String(emails.count)],
                                            at: now, on: db)
                return emails
            }
            // Only after the commit: a rolled-back erasure must not lose the copies either.
            PatronMail.removeDropFiles(of: erasedMail, directory: app.settings.mailDropDirectory, logger: app.logger)
        }
        return stale.count
    }
}

/// The emails kept about one person: the outbox holds each message as rendered (name, address,
/// application number), and without SMTP the mail drop holds an `.eml` copy of each one delivered.
enum PatronMail {
    /// Tags a person's messages so their erasure can find them; it also keeps them in order.
    static func partitionKey(_ patronID: UUID) -> String { "patron:\(patronID.uuidString)" }

    /// Deletes the person's undelivered emails and empties the delivered and failed ones down to their
    /// Message-ID and date (the row stays, so counts and the fact of sending remain). Messages queued
    /// before they were tagged are found by the application number, which every one of them quotes.
    /// Returns the messages as they were, to find their files in the mail drop.
    static func erase(patronID: UUID, applicationNumber: String, on db: any Database) async throws -> [MailMessage] {
        let rows = try await OutboxMessage.query(on: db).filter(\.$kind == .email).group(.or) {
            $0.filter(\.$partitionKey == partitionKey(patronID))
            if !applicationNumber.isEmpty { $0.filter(\.$payload ~~ applicationNumber) }
        }.all()
        var erased: [MailMessage] = []
        for row in rows {
            guard let message = try? JSONDecoder().decode(MailMessage.self, from: Data(row.payload.utf8)) else { continue }
            // The application number matched somewhere in the JSON; make sure it is this person's message.
            if row.partitionKey != partitionKey(patronID),
               !(message.subject.contains(applicationNumber) || message.body.contains(applicationNumber)) { continue }
            erased.append(message)
            if row.status == .pending {
                try await row.delete(on: db)
            } else {
                row.payload = String(decoding: try JSONEncoder.sorted.encode(Self.emptied(message)), as: UTF8.self)
                row.lastError = nil
                try await row.save(on: db)
            }
        }
        return erased
    }

    /// How long a delivered email is kept whole (to answer "did you send it?"); after that it is emptied
    /// down to its Message-ID and date, and its mail-drop copy removed, by hourly housekeeping.
    static let deliveredRetentionDays = 30

    /// Empties every email delivered more than `deliveredRetentionDays` ago that still holds an address.
    @discardableResult
    static func emptyDelivered(now: Date, app: Application) async throws -> Int {
        let cutoff = now.addingTimeInterval(-Double(deliveredRetentionDays) * 86_400)
        let rows = try await OutboxMessage.query(on: app.db).filter(\.$kind == .email).filter(\.$status == .delivered)
            .filter(\.$deliveredAt < cutoff)
            .filter(\.$payload, .contains(inverse: true, .anywhere), #""to":"""#)
            .all()
        var emptied: [MailMessage] = []
        for row in rows {
            guard let message = try? JSONDecoder().decode(MailMessage.self, from: Data(row.payload.utf8)), !message.to.isEmpty else { continue }
            row.payload = String(decoding: try JSONEncoder.sorted.encode(Self.emptied(message)), as: UTF8.self)
            try await row.save(on: app.db)
            emptied.append(message)
        }
        removeDropFiles(of: emptied, directory: app.settings.mailDropDirectory, logger: app.logger)
        return emptied.count
    }

    static func emptied(_ message: MailMessage) -> MailMessage {
        MailMessage(from: message.from, to: "", subject: "", body: "", messageID: message.messageID, date: message.date)
    }

    /// Removes the mail-drop copies of `messages` (named from their date and Message-ID, see `FileMailer`).
    static func removeDropFiles(of messages: [MailMessage], directory: String, logger: Logger) {
        let mailer = FileMailer(directory: directory)
        for message in messages {
            let path = mailer.path(for: message)
            guard FileManager.default.fileExists(atPath: path) else { continue }
            do {
                try FileManager.default.removeItem(atPath: path)
            } catch {
                logger.error("could not remove an erased message from the mail drop", metadata: ["file": .string(FileMailer.fileName(for: message))])
            }
        }
    }
}
