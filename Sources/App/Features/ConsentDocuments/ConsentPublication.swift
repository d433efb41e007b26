import Fluent
import Foundation
import OneCardDomain

/// Consent documents in the back office (issue #14 item 6): every version of each, a draft of the next
/// one, and its publication with an effective date. A published version is never changed here (there is
/// no function that could) nor in the database (`AddPublicationToConsentDocument`'s trigger): a change
/// is a new version, and the consents readers gave keep pointing at the words they read.
struct ConsentPublication {
    let database: any Database
    let now: Date

    /// The member libraries' codes, which own the documents named after them.
    func owner(of code: String) async throws -> ConsentDocumentOwner {
        let libraries = try await Library.query(on: database).all().map(\.code)
        return ConsentDocumentOwner(code: code, libraryCodes: Set(libraries))
    }

    /// Every document's code, in order.
    func codes() async throws -> [String] {
        Set(try await ConsentDocument.query(on: database).field(\.$code).all().map(\.code)).sorted()
    }

    /// Every published version of `code`, newest first; throws `notFound` for a code nobody published.
    func versions(of code: String) async throws -> [ConsentDocument] {
        let versions = try await ConsentDocument.query(on: database).filter(\.$code == code).sort(\.$version, .descending).all()
        guard !versions.isEmpty else { throw ConsentDocumentError.notFound }
        return versions
    }

    func draft(of code: String) async throws -> ConsentDraft? {
        try await ConsentDraft.query(on: database).filter(\.$code == code).first()
    }

    /// Refuses a staff member who may not change `code`'s document.
    func requireOwner(of code: String, _ staff: StaffMember) async throws {
        guard try await owner(of: code).admits(staff) else { throw ConsentDocumentError.notYours }
    }

    /// Writes the draft of version `version`, which must be the next one: a version already published is
    /// refused (`published`), whatever the change.
    @discardableResult
    func saveDraft(code: String, version: Int, text: ConsentText, requiresRenewedConsent: Bool,
                   by staff: StaffMember, ipAddress: String?) async throws -> ConsentDraft {
        let latest = try await versions(of: code)[0]
        try await requireOwner(of: code, staff)
        guard version > latest.version else { throw ConsentDocumentError.published }
        guard version == latest.version + 1 else { throw ConsentDocumentError.notFound }
        let text = text.normalized
        guard ![text.titleZH, text.titleEN, text.bodyZH, text.bodyEN].contains(where: \.isEmpty) else {
            throw ConsentDocumentError.textRequired
        }
        let staffID = try staff.requireID()
        return try await database.transaction { db in
            let draft = try await ConsentDraft.query(on: db).filter(\.$code == code).first()
                ?? ConsentDraft(code: code, text: text, requiresRenewedConsent: requiresRenewedConsent, updatedAt: now, updatedBy: staffID)
            draft.text = text
            draft.requiresRenewedConsent = requiresRenewedConsent
            draft.updatedAt = now
            draft.updatedBy = staffID
            try await draft.save(on: db)
            try await AuditTrail.record("consent_document.draft_saved", by: .staff(staffID, ipAddress: ipAddress),
                                        subject: ("consent_document", code), libraryID: staff.$library.id,
                                        details: ["code": code, "version": String(version),
                                                  "renewedConsent": requiresRenewedConsent ? "yes" : "no"], at: now, on: db)
            return draft
        }
    }

    /// Publishes the draft as version `version`, in force from the start of `effectiveDate` (a day in
    /// Asia/Taipei, today or later, typed as the desk types dates). Two administrators publishing at once:
    /// the unique (code, version) lets one win and the other is told the version is published.
    @discardableResult
    func publish(code: String, version: Int, effectiveDate: String, by staff: StaffMember, ipAddress: String?) async throws -> ConsentDocument {
        let latest = try await versions(of: code)[0]
        try await requireOwner(of: code, staff)
        guard version > latest.version else { throw ConsentDocumentError.published }
        guard version == latest.version + 1, let draft = try await draft(of: code) else { throw ConsentDocumentError.noDraft }
        let effectiveAt = try Self.startOfDay(effectiveDate, today: CalendarDay(date: now, timeZone: .taipei))
        return try await publish(draft.text, code: code, version: version, effectiveAt: effectiveAt,
                                 requiresRenewedConsent: draft.requiresRenewedConsent, draftID: try draft.requireID(),
                                 by: .staff(try staff.requireID(), ipAddress: ipAddress), libraryID: staff.$library.id)
    }

    /// The next version of `code` with `text`, in force at once and asking nobody to agree again, unless some
    /// version already has these words (then an administrator's later version stays in force).
    /// `onecard seed-demo` publishes the libraries' real texts this way.
    @discardableResult
    func publishIfNew(_ text: ConsentText, code: String, by actor: AuditActor) async throws -> ConsentDocument? {
        let versions = try await versions(of: code)
        let text = text.normalized
        guard !versions.contains(where: { ConsentText(titleZH: $0.titleZH, titleEN: $0.titleEN, bodyZH: $0.bodyZH, bodyEN: $0.bodyEN) == text })
        else { return nil }
        return try await publish(text, code: code, version: versions[0].version + 1, effectiveAt: now, requiresRenewedConsent: false,
                                 draftID: nil, by: actor, libraryID: nil)
    }

    /// The new row, the draft used up and the audit entry, all or nothing.
    private func publish(_ text: ConsentText, code: String, version: Int, effectiveAt: Date, requiresRenewedConsent: Bool,
                         draftID: UUID?, by actor: AuditActor, libraryID: UUID?) async throws -> ConsentDocument {
        let document = ConsentDocument(
            code: code, version: version, titleZH: text.titleZH, titleEN: text.titleEN, bodyZH: text.bodyZH, bodyEN: text.bodyEN,
            publishedAt: now, effectiveAt: effectiveAt, requiresRenewedConsent: requiresRenewedConsent)
        do {
            try await database.transaction { db in
                try await document.create(on: db)
                if let draftID { try await ConsentDraft.query(on: db).filter(\.$id == draftID).delete() }
                try await AuditTrail.record("consent_document.published", by: actor, subject: ("consent_document", code), libraryID: libraryID,
                                            details: ["code": code, "version": String(version),
                                                      "effective": CalendarDay(date: effectiveAt, timeZone: .taipei).iso,
                                                      "renewedConsent": requiresRenewedConsent ? "yes" : "no"], at: now, on: db)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw ConsentDocumentError.published
        }
        return document
    }

    /// The first moment of `typed` in Taipei; refused when unreadable or before `today`.
    static func startOfDay(_ typed: String, today: CalendarDay) throws -> Date {
        guard case .success(let day) = TypedDate.parse(typed.trimmingCharacters(in: .whitespaces)) else {
            throw ConsentDocumentError.effectiveDateInvalid
        }
        guard day >= today else { throw ConsentDocumentError.effectiveDatePast }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .taipei
        guard let date = calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day)) else {
            throw ConsentDocumentError.effectiveDateInvalid
        }
        return date
    }
}
