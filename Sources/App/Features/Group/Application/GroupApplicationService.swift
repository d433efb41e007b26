import Fluent
import Foundation
import OneCardDomain
import SQLKit
import UploadInspection
import Vapor

/// The organization's side of 集體辦證 up to the decision: the application with its files, the
/// reviewer's approval or rejection, and changes of the contact person.
struct GroupApplicationService {
    /// A library runs group cards when it has published this consent document for them.
    static func consentCode(libraryCode: String) -> String { "\(libraryCode)_GROUP_PRIVACY" }
    static let defaultLibraryCode = "NLPI"
    /// Application forms and consent statements: scans or photos as JPEG/PNG, or PDF, up to 10 MB each.
    static let documentPolicy = UploadPolicy(maximumBytes: 10 * 1024 * 1024, maximumPixels: 40_000_000, maximumPDFPages: 20)

    let database: any Database
    /// Where the two files are kept, sealed.
    let sealedFiles: SealedFileStore
    /// Pictures are cleaned and sealed here, off the event loop.
    let threadPool: NIOThreadPool
    /// The confirmation and decision emails, queued in the change's transaction.
    let outbox: Outbox
    /// The site's address, for the contact's sign-in link after approval.
    let baseURL: URL
    let now: Date

    var today: CalendarDay { CalendarDay(date: now, timeZone: .taipei) }

    /// The libraries that accept group applications, the default (NLPI) first.
    static func acceptingLibraries(on database: any Database) async throws -> [Library] {
        let codes = Set(try await ConsentDocument.query(on: database).filter(\.$code, .custom("LIKE"), "%_GROUP_PRIVACY").all()
            .map { String($0.code.dropLast("_GROUP_PRIVACY".count)) })
        return try await Library.query(on: database).sort(\.$position).all()
            .filter { codes.contains($0.code) }
            .sorted { ($0.code == defaultLibraryCode ? 0 : 1, $0.position) < ($1.code == defaultLibraryCode ? 0 : 1, $1.position) }
    }

    /// e.g. NLPI-G260522-4F7K2Q (G: group application, B: batch): the library, the day, six unambiguous characters.
    static func reference(library: String, kind: Character, now: Date) -> String {
        let day = CalendarDay(date: now, timeZone: .taipei)
        let alphabet = Array("23456789ABCDEFGHJKLMNPQRSTUVWXYZ")
        let suffix = String((0..<6).map { _ in alphabet.randomElement()! })
        return String(format: "%@-%@%02d%02d%02d-%@", library, String(kind), day.year % 100, day.month, day.day, suffix)
    }

    // MARK: Submitting

    /// Checks every field and both files, stores the files sealed and the application with its audit
    /// entry and confirmation email in one transaction. Throws `.invalid` with every problem at once.
    func submit(_ input: GroupApplicationInput, libraryCode: String, applicationForm: UploadedFile, consentStatement: UploadedFile,
                locale: SiteLocale, ipAddress: String?, rateLimited: Bool = true,
                operator actor: AuditActor? = nil) async throws -> GroupApplicationRecord {
        let submitter = actor ?? .anonymous(ipAddress: ipAddress)
        if rateLimited,
           try await !RateLimiter(database: database).allow("group-apply:ip:\(ipAddress ?? "-")", limit: 10, per: 3600, now: now) {
            throw GroupApplicationError.tooManyAttempts
        }
        var errors: [FieldError] = []
        var application: GroupApplication?
        switch GroupApplicationRules.validate(input, today: today) {
        case .success(let valid): application = valid
        case .failure(let failure): errors = failure.errors
        }
        let libraries = try await Self.acceptingLibraries(on: database)
        let library = libraries.first { $0.code == libraryCode.uppercased() }
        if library == nil { errors.insert(FieldError(field: "library", code: "library_invalid"), at: 0) }
        // Pictures are cleaned (metadata stripped) off the event loop: they may be 10 MB each.
        var inspected: [GroupDocument.Kind: InspectedUpload] = [:]
        for (kind, file) in [(GroupDocument.Kind.applicationForm, applicationForm), (.consentStatement, consentStatement)] {
            let field = kind == .applicationForm ? "applicationForm" : "consentStatement"
            guard let bytes = file.bytes, !bytes.isEmpty else {
                errors.append(FieldError(field: field, code: "file_required"))
                continue
            }
            do {
                inspected[kind] = try await threadPool.runIfActive {
                    try Self.inspect(bytes)
                }
            } catch let rejection as UploadRejection {
                errors.append(FieldError(field: field, code: "upload_\(rejection.code)"))
            }
        }
        guard errors.isEmpty, let application, let library, let form = inspected[.applicationForm],
              let statement = inspected[.consentStatement] else {
            try await AuditTrail.record("group_application.refused", by: submitter,
                                        details: ["errors": errors.map { "\($0.field):\($0.code)" }.joined(separator: ",")],
                                        at: now, on: database)
            throw GroupApplicationError.invalid(errors)
        }

        let libraryID = try library.requireID()
        let calendar = try await OfficialCalendarStore.calendar(libraryID: libraryID, on: database)
        let record = GroupApplicationRecord()
        record.id = UUID()
        record.$library.id = libraryID
        record.reference = Self.reference(library: library.code, kind: "G", now: now)
        record.status = .submitted
        record.organizationName = application.organizationName
        record.organizationKind = application.organizationKind
        record.contactName = application.contact.name
        record.contactTitle = application.contact.title
        record.contactPhone = application.contact.phone
        record.contactEmail = application.contact.email
        record.contactGeneration = 1
        record.letterNumber = application.letter.number
        record.letterDate = application.letter.date.iso
        record.obligationsAcceptedAt = now
        record.locale = locale.rawValue
        record.submittedAt = now
        record.dueOn = calendar.dueDate(after: today, workingDays: GroupApplicationRules.applicationDueWorkingDays).iso

        let documents = [(GroupDocument.Kind.applicationForm, form), (.consentStatement, statement)].map { kind, upload in
            GroupDocument(id: UUID(), applicationID: record.id!, kind: kind, mediaType: upload.kind.mediaType,
                          fileExtension: upload.kind.fileExtension, byteCount: upload.bytes.count, uploadedAt: now)
        }
        // Files first, rows second, in one transaction: where files are rows they commit together; on disk a
        // failed transaction removes the files again, so nothing half-written stays.
        let store = sealedFiles
        let uploads = [form, statement]
        do {
            try await database.transaction { db in
                for (document, upload) in zip(documents, uploads) {
                    try await store.store(Data(upload.bytes), id: document.id!, context: document.sealContext, on: db)
                }
                try await record.create(on: db)
                for document in documents { try await document.create(on: db) }
                try await AuditTrail.record("group_application.submitted", by: submitter,
                                            subject: ("group_application", record.id!.uuidString), libraryID: libraryID,
                                            details: ["reference": record.reference], at: now, on: db)
                try await outbox.enqueueEmail(
                    template: "group_application_received", to: record.contactEmail, locale: locale,
                    values: ["name": record.contactName, "organization": record.organizationName, "reference": record.reference,
                             "library": library.name(in: locale), "due": DisplayTime.day(iso: record.dueOn, in: locale)],
                    from: library, on: db)
            }
        } catch {
            for document in documents { try? await store.remove(id: document.id!) }
            throw error
        }
        return record
    }

    static func inspect(_ bytes: Data) throws -> InspectedUpload {
        try UploadInspector.inspect([UInt8](bytes), policy: documentPolicy)
    }

    // MARK: Deciding

    /// Approves (the contact gets a sign-in link for the reader data files) or rejects (with a reason
    /// that is emailed to the contact). Only a submitted application can be decided, once.
    func decide(_ record: GroupApplicationRecord, approve: Bool, reason: String, by staff: StaffMember,
                ipAddress: String?) async throws {
        try await decide(record, approve: approve, reason: reason, reviewerID: staff.requireID(),
                         actor: .staff(staff.requireID(), ipAddress: ipAddress))
    }

    /// The same for an application that came in on paper and is registered by an operator (`onecard group register`).
    func decide(_ record: GroupApplicationRecord, approve: Bool, reason rawReason: String, reviewerID: UUID?,
                actor: AuditActor) async throws {
        guard record.status == .submitted else { throw GroupApplicationError.notAwaitingDecision }
        let reason = rawReason.trimmingCharacters(in: .whitespacesAndNewlines)
        if !approve, reason.isEmpty { throw GroupApplicationError.invalid([FieldError(field: "reason", code: "reason_required")]) }
        if reason.count > 1000 { throw GroupApplicationError.invalid([FieldError(field: "reason", code: "reason_too_long")]) }
        let library = try await record.$library.get(on: database)
        let locale = record.siteLocale
        try await database.transaction { db in
            // Conditional: two reviewers deciding at once cannot both win.
            let claimed = try await (db as! any SQLDatabase).raw("""
                UPDATE \(ident: GroupApplicationRecord.schema) SET status = \(bind: approve ? "approved" : "rejected"),
                    decided_at = \(bind: now), decided_by = \(bind: reviewerID), rejection_reason = \(bind: approve ? nil : reason)
                WHERE id = \(bind: record.requireID()) AND status = 'submitted' RETURNING id
                """).all()
            guard !claimed.isEmpty else { throw GroupApplicationError.notAwaitingDecision }
            record.status = approve ? .approved : .rejected
            record.decidedAt = now
            record.decidedBy = reviewerID
            record.rejectionReason = approve ? nil : reason
            let fresh = record
            try await AuditTrail.record(approve ? "group_application.approved" : "group_application.rejected",
                                        by: actor,
                                        subject: ("group_application", record.id!.uuidString), libraryID: library.id,
                                        details: ["reference": record.reference], at: now, on: db)
            let libraryName = library.name(in: locale)
            if approve {
                let link = try await GroupContactAccess(baseURL: baseURL, now: now).issueLink(for: fresh, next: nil, on: db)
                try await outbox.enqueueEmail(
                    template: "group_application_approved", to: fresh.contactEmail, locale: locale,
                    values: ["name": fresh.contactName, "organization": fresh.organizationName, "reference": fresh.reference,
                             "library": libraryName, "hours": String(GroupContactAccess.linkLifetimeHours)],
                    secrets: ["link": link], from: library, on: db)
            } else {
                try await outbox.enqueueEmail(
                    template: "group_application_rejected", to: fresh.contactEmail, locale: locale,
                    values: ["name": fresh.contactName, "organization": fresh.organizationName, "reference": fresh.reference,
                             "library": libraryName, "reason": reason],
                    from: library, on: db)
            }
        }
    }

    // MARK: Contact person

    /// Records a new contact person (of a submitted or approved application): the history row, the audit entry, the old contact's links and
    /// sessions ended, a notice to the old address and (for an approved organization) a sign-in link to the new one.
    func changeContact(_ record: GroupApplicationRecord, name: String, title: String, phone: String, email: String, note rawNote: String,
                       by staff: StaffMember, ipAddress: String?) async throws {
        // A rejected application has no organization left whose contact could change.
        guard record.status != .rejected else { throw GroupApplicationError.notAwaitingDecision }
        var errors: [FieldError] = []
        var contact: GroupContact?
        switch GroupApplicationRules.validateContact(name: name, title: title, phone: phone, email: email) {
        case .success(let valid): contact = valid
        case .failure(let failure): errors = failure.errors
        }
        let note = rawNote.trimmingCharacters(in: .whitespacesAndNewlines)
        if note.isEmpty { errors.append(FieldError(field: "note", code: "contact_note_required")) }
        if note.count > 500 { errors.append(FieldError(field: "note", code: "contact_note_invalid")) }
        if let contact, contact == record.contact { errors.append(FieldError(field: "contactName", code: "contact_unchanged")) }
        guard errors.isEmpty, let contact else { throw GroupApplicationError.invalid(errors) }
        let library = try await record.$library.get(on: database)
        let previous = record.contact
        let locale = record.siteLocale
        try await database.transaction { db in
            let change = GroupContactChange()
            change.$application.id = try record.requireID()
            change.previousName = previous.name
            change.previousTitle = previous.title
            change.previousPhone = previous.phone
            change.previousEmail = previous.email
            change.newName = contact.name
            change.newTitle = contact.title
            change.newPhone = contact.phone
            change.newEmail = contact.email
            change.note = note
            change.changedAt = now
            change.changedBy = try staff.requireID()
            try await change.create(on: db)
            record.contactName = contact.name
            record.contactTitle = contact.title
            record.contactPhone = contact.phone
            record.contactEmail = contact.email
            record.contactGeneration += 1
            try await record.save(on: db)
            try await GroupContactToken.query(on: db).filter(\.$application.$id == record.requireID()).filter(\.$usedAt == nil)
                .set(\.$usedAt, to: now).update()
            try await AuditTrail.record("group_application.contact_changed", by: .staff(staff.requireID(), ipAddress: ipAddress),
                                        subject: ("group_application", record.id!.uuidString), libraryID: library.id,
                                        details: ["change": change.id!.uuidString, "emailChanged": previous.email == contact.email ? "no" : "yes"],
                                        at: now, on: db)
            let libraryName = library.name(in: locale)
            if previous.email != contact.email {
                try await outbox.enqueueEmail(
                    template: "group_contact_replaced", to: previous.email, locale: locale,
                    values: ["name": previous.name, "organization": record.organizationName, "library": libraryName],
                    from: library, on: db)
            }
            if record.status == .approved {
                let link = try await GroupContactAccess(baseURL: baseURL, now: now).issueLink(for: record, next: nil, on: db)
                try await outbox.enqueueEmail(
                    template: "group_contact_assigned", to: contact.email, locale: locale,
                    values: ["name": contact.name, "organization": record.organizationName, "library": libraryName,
                             "hours": String(GroupContactAccess.linkLifetimeHours)], secrets: ["link": link],
                    from: library, on: db)
            }
        }
    }
}
