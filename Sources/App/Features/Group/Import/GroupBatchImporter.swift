import Fluent
import Foundation
import NIOConcurrencyHelpers
import OneCardDomain
import PersonalDataVault
import SQLKit
import Vapor

/// Turns an approved batch into digital cards (數位借閱證), in chunks that each commit on their own:
/// for every staged row a patron (digital, active, a card number from the library's counter, the ID
/// number sealed with its blind index), the consent given through the organization's signed statement,
/// a one-time link to set a password, the activation email and an audit entry — and the row marked
/// imported, all in the chunk's transaction.
///
/// A crash loses at most the chunk in flight, which rolls back whole; running the batch again carries on
/// with the rows still pending. It cannot make a second card for a row (the patron's id was fixed when
/// the row was staged) nor for a person (the blind index of the ID number is unique); a person who got a
/// card elsewhere in the meantime is skipped and reported. A lease on the batch keeps two app instances
/// from working on it at once.
struct GroupBatchImporter: Sendable {
    /// Rows per transaction. Issue #13 item 6: in WAL mode with `synchronous = NORMAL` a commit does not
    /// sync, so a chunk is sized for the embedded database's page cache instead: 2,000 cards (about 15 MB of
    /// pages, most of it their emails) stay in its 32 MiB until the commit, where 5,000 spilled to the WAL
    /// mid-transaction. A crash still loses at most the chunk in flight, which rolls back whole and is
    /// imported again on resume.
    static let defaultChunkSize = 2000
    /// Rows per INSERT statement: 1,000 patrons are 19,000 bound values, within SQLite's 32,766 and
    /// PostgreSQL's 65,535.
    static let rowsPerStatement = 1000
    static let activationLinkLifetimeDays = 30

    let database: any Database
    /// Read at each step: an import runs for minutes, and tests move the clock.
    let clock: OneCardClock
    /// Renders the card and batch emails in each recipient's language.
    let localizer: Localizer
    /// The site's address (activation and sign-in links), the sender of the emails, and whether imports run in the background.
    let settings: OneCardSettings
    /// Seals each activation and sign-in link while its email waits in the outbox.
    let vault: PersonalDataVault
    let logger: Logger
    var chunkSize = GroupBatchImporter.defaultChunkSize
    /// How long a run holds the batch without finishing a chunk before another may take over.
    var leaseDuration: TimeInterval = 300
    /// Called inside each chunk's transaction once its patrons are written, before the chunk commits
    /// (chunks numbered from 0 in each run): tests throw from it to simulate a crash mid-import.
    var afterPatronsWritten: (@Sendable (_ chunk: Int) throws -> Void)? = nil

    private var now: Date { clock.now() }

    private func outbox(at now: Date) -> Outbox {
        Outbox(localizer: localizer, settings: settings, vault: vault, now: now)
    }

    // MARK: Decisions

    /// Approves a queued batch: it becomes `importing`; the caller then runs it (or the worker does).
    func approve(_ batch: GroupBatch, by staff: StaffMember, ipAddress: String?) async throws {
        try await approve(batch, reviewerID: staff.requireID(), actor: .staff(staff.requireID(), ipAddress: ipAddress))
    }

    /// The same for a batch that came in on paper and is imported by an operator (`onecard group import-batch`).
    func approve(_ batch: GroupBatch, reviewerID: UUID?, actor: AuditActor) async throws {
        let now = self.now
        let record = try await batch.$application.get(on: database)
        try await database.transaction { db in
            let claimed = try await (db as! any SQLDatabase).raw("""
                UPDATE \(ident: GroupBatch.schema) SET status = \(bind: GroupBatchStatus.importing.rawValue),
                    decided_at = \(bind: now), decided_by = \(bind: reviewerID)
                WHERE id = \(bind: batch.requireID()) AND status = \(bind: GroupBatchStatus.queued.rawValue) RETURNING id
                """).all()
            guard !claimed.isEmpty else { throw GroupApplicationError.notAwaitingDecision }
            try await AuditTrail.record("group_batch.approved", by: actor,
                                        subject: ("group_batch", batch.id!.uuidString), libraryID: record.$library.id,
                                        details: ["reference": batch.reference, "rows": String(batch.rowCount)], at: now, on: db)
        }
        batch.status = .importing
        batch.decidedAt = now
        batch.decidedBy = reviewerID
    }

    /// A reviewer's approval, and the import started at once (`start`: in the background while the server
    /// runs, so the importer must hold the application's database, not a request's, which ends with the response).
    func approveAndImport(_ batch: GroupBatch, by staff: StaffMember, ipAddress: String?) async throws {
        try await approve(batch, by: staff, ipAddress: ipAddress)
        try await start(batchID: batch.requireID())
    }

    /// Rejects a queued batch with a reason the contact is told; its staged rows (personal data that is no
    /// longer needed) are deleted with it.
    func reject(_ batch: GroupBatch, reason rawReason: String, by staff: StaffMember, ipAddress: String?) async throws {
        let reason = rawReason.trimmingCharacters(in: .whitespacesAndNewlines)
        if reason.isEmpty { throw GroupApplicationError.invalid([FieldError(field: "reason", code: "reason_required")]) }
        if reason.count > 1000 { throw GroupApplicationError.invalid([FieldError(field: "reason", code: "reason_too_long")]) }
        let now = self.now
        let record = try await batch.$application.get(on: database)
        let library = try await record.$library.get(on: database)
        try await database.transaction { db in
            let claimed = try await (db as! any SQLDatabase).raw("""
                UPDATE \(ident: GroupBatch.schema) SET status = \(bind: GroupBatchStatus.rejected.rawValue),
                    decided_at = \(bind: now), decided_by = \(bind: staff.requireID()), rejection_reason = \(bind: reason)
                WHERE id = \(bind: batch.requireID()) AND status = \(bind: GroupBatchStatus.queued.rawValue) RETURNING id
                """).all()
            guard !claimed.isEmpty else { throw GroupApplicationError.notAwaitingDecision }
            try await GroupBatchRow.query(on: db).filter(\.$batch.$id == batch.requireID()).delete()
            try await AuditTrail.record("group_batch.rejected", by: .staff(staff.requireID(), ipAddress: ipAddress),
                                        subject: ("group_batch", batch.id!.uuidString), libraryID: library.id,
                                        details: ["reference": batch.reference], at: now, on: db)
            let locale = record.siteLocale
            try await outbox(at: now).enqueueEmail(
                template: "group_batch_rejected", to: record.contactEmail, locale: locale,
                values: ["name": record.contactName, "organization": record.organizationName, "reference": batch.reference,
                         "letter": batch.letterNumber, "reason": reason, "library": library.name(in: locale)],
                from: library, on: db)
        }
        batch.status = .rejected
        batch.rejectionReason = reason
    }

    // MARK: Running

    /// Starts the import of an approved batch: in the background while the server runs (the worker also
    /// resumes it after a restart), at once where no background work runs (tests, commands).
    func start(batchID: UUID) async throws {
        guard settings.runsBackgroundWorkers else {
            try await run(batchID: batchID)
            return
        }
        let logger = self.logger
        Task.detached { [self] in
            do {
                try await run(batchID: batchID)
            } catch {
                logger.error("group batch import failed; the worker will resume it",
                             metadata: ["batch": .string(batchID.uuidString), "error": .string(String(describing: error))])
            }
        }
    }

    struct Outcome: Sendable, Equatable {
        /// False when another run holds the batch, or it is not being imported.
        var ran: Bool
        var imported: Int
        var skipped: Int
        var completed: Bool
    }

    /// Imports what is still pending of an approved batch and completes it. Safe to call again after a
    /// failure, and from several instances (only the lease holder works).
    @discardableResult
    func run(batchID: UUID) async throws -> Outcome {
        guard try await claimLease(batchID) else { return Outcome(ran: false, imported: 0, skipped: 0, completed: false) }
        do {
            let context = try await ImportContext.load(batchID: batchID, at: now, on: database)
            var outcome = Outcome(ran: true, imported: 0, skipped: 0, completed: false)
            var chunk = 0
            // Keyset pagination by id: marking rows imported then touches no index the next read walks.
            var after = 0
            while true {
                let rows = try await (database as! any SQLDatabase).select().columns(StagedRow.columns).from(GroupBatchRow.schema)
                    .where("batch_id", .equal, batchID).where("id", .greaterThan, after)
                    .where("status", .equal, GroupBatchRow.Status.pending.rawValue)
                    .orderBy("id").limit(chunkSize).all(decoding: StagedRow.self)
                guard let last = rows.last else { break }
                let (imported, skipped) = try await importChunk(rows, context: context, chunk: chunk)
                outcome.imported += imported
                outcome.skipped += skipped
                chunk += 1
                after = last.id
            }
            outcome.completed = try await complete(context)
            return outcome
        } catch {
            // Let the next run start at once rather than after the lease; a crash leaves the lease to expire.
            try? await (database as! any SQLDatabase).raw("""
                UPDATE \(ident: GroupBatch.schema) SET import_lease_until = NULL WHERE id = \(bind: batchID)
                """).run()
            throw error
        }
    }

    /// Runs every batch that is being imported and held by nobody (after a crash or restart). Returns how many ran.
    @discardableResult
    func resumeUnfinished() async throws -> Int {
        let now = self.now
        let waiting = try await GroupBatch.query(on: database).filter(\.$status == .importing)
            .group(.or) { $0.filter(\.$importLeaseUntil == nil).filter(\.$importLeaseUntil < now) }
            .sort(\.$decidedAt).all()
        var ran = 0
        for batch in waiting where try await run(batchID: batch.requireID()).ran { ran += 1 }
        return ran
    }

    private func claimLease(_ batchID: UUID) async throws -> Bool {
        let now = self.now
        let claimed = try await (database as! any SQLDatabase).raw("""
            UPDATE \(ident: GroupBatch.schema) SET import_lease_until = \(bind: now.addingTimeInterval(leaseDuration))
            WHERE id = \(bind: batchID) AND status = \(bind: GroupBatchStatus.importing.rawValue)
              AND (import_lease_until IS NULL OR import_lease_until < \(bind: now))
            RETURNING id
            """).all()
        return !claimed.isEmpty
    }

    /// Everything a chunk needs that does not change during the import.
    struct ImportContext: Sendable {
        let batchID: UUID
        let batchReference: String
        let receivedAt: Date
        let reviewerID: UUID?
        let libraryID: UUID
        let libraryCode: String
        let cardPrefix: String
        let libraryName: String
        /// The library and its mail settings, for the emails to come in its name (issue #17 item 5).
        let library: Library
        let mailSettings: LibraryMailSettings
        let organizationName: String
        let contactName: String
        let contactEmail: String
        let locale: SiteLocale
        let consentDocumentID: UUID
        let statementDocumentID: UUID?
        let application: GroupApplicationRecord

        static func load(batchID: UUID, at now: Date, on database: any Database) async throws -> ImportContext {
            guard let batch = try await GroupBatch.query(on: database).filter(\.$id == batchID).with(\.$application, { $0.with(\.$library) }).first()
            else { throw OneCardError.notFound }
            let record = batch.application
            let library = record.library
            let consent = try await ConsentDocument.current(GroupApplicationService.consentCode(libraryCode: library.code), at: now, on: database)
            let statement = try await GroupDocument.query(on: database).filter(\.$application.$id == record.requireID())
                .filter(\.$kind == .consentStatement).first()
            let locale = record.siteLocale
            return ImportContext(
                batchID: batchID, batchReference: batch.reference, receivedAt: batch.receivedAt, reviewerID: batch.decidedBy,
                libraryID: try library.requireID(), libraryCode: library.code, cardPrefix: library.cardPrefix,
                libraryName: library.name(in: locale), library: library,
                mailSettings: try await LibraryMailSettings.of(library, on: database), organizationName: record.organizationName,
                contactName: record.contactName, contactEmail: record.contactEmail, locale: locale,
                consentDocumentID: try consent.requireID(), statementDocumentID: statement?.id, application: record)
        }
    }

    /// What a chunk reads of a staged row (SQLKit, not Fluent: reading 100,000 models costs seconds).
    struct StagedRow: Decodable, Sendable {
        let id: Int
        let rowNumber: Int
        let patronID: UUID
        let idNumberSealed: String?
        let idNumberIndex: String?
        let name: String
        let gender: String?
        let birthDate: String
        let email: String
        let mobile: String?

        enum CodingKeys: String, CodingKey {
            case id, name, gender, email, mobile
            case rowNumber = "row_number", patronID = "patron_id", idNumberSealed = "id_number_sealed"
            case idNumberIndex = "id_number_index", birthDate = "birth_date"
        }

        static let columns = ["id", "row_number", "patron_id", "id_number_sealed", "id_number_index", "name", "gender",
                              "birth_date", "email", "mobile"]
    }

    private static let patronColumns = [
        "id", "library_id", "status", "card_type", "card_kind", "application_number", "card_number", "document_kind",
        "id_number_sealed", "id_number_index", "name", "gender", "birth_date", "mobile", "email", "locale", "applied_at",
        "activated_at", "activated_by", "application_channel",
    ]

    /// One chunk in one transaction. A concurrent card for one of its people (the unique index says so)
    /// rolls the chunk back; it is then tried again, with that person now found and skipped.
    private func importChunk(_ rows: [StagedRow], context: ImportContext, chunk: Int) async throws -> (Int, Int) {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await database.transaction { db in
                    try await importChunk(rows, context: context, chunk: chunk, on: db as! any SQLDatabase)
                }
            } catch let error as any DatabaseError where error.isConstraintFailure && attempt < 3 {
                logger.warning("group batch chunk hit a uniqueness constraint; trying it again",
                                   metadata: ["batch": .string(context.batchReference), "chunk": "\(chunk)"])
            }
        }
    }

    private func importChunk(_ rows: [StagedRow], context: ImportContext, chunk: Int, on sql: any SQLDatabase) async throws -> (Int, Int) {
        let now = self.now
        let indexes = rows.compactMap(\.idNumberIndex)
        var holding = Set<String>()
        for row in try await sql.select().column("id_number_index").from(Patron.schema).where("id_number_index", .in, indexes).all() {
            holding.insert(try row.decode(column: "id_number_index", as: String.self))
        }
        let creating = rows.filter { row in
            guard let index = row.idNumberIndex, row.idNumberSealed != nil else { return false }
            return !holding.contains(index)
        }
        let creatingIDs = Set(creating.map(\.id))
        let skipping = rows.filter { !creatingIDs.contains($0.id) }

        if !creating.isEmpty {
            let counter = try await sql.raw("""
                UPDATE card_number_counters SET last_serial = last_serial + \(bind: creating.count)
                WHERE library_id = \(bind: context.libraryID) RETURNING last_serial
                """).first()
            guard let last = try counter?.decode(column: "last_serial", as: Int.self) else {
                throw GroupImportFault(description: "no card number counter for \(context.libraryCode)")
            }
            let firstSerial = last - creating.count + 1
            guard last <= CardNumber.maximumSerial else {
                throw GroupImportFault(description: "card numbers of \(context.libraryCode) are exhausted")
            }
            // Rendering the emails and making the tokens is most of a chunk's own work: spread over the cores.
            let emails = try OutboxEmailBatch(
                outbox: outbox(at: now), template: "group_card_issued", locale: context.locale,
                values: ["library": context.libraryName, "organization": context.organizationName,
                         "days": String(Self.activationLinkLifetimeDays)],
                varying: ["name", "card"], secrets: ["link"], from: (context.library, context.mailSettings))
            let prepared = try await Self.prepare(creating, firstSerial: firstSerial, context: context, now: now, emails: emails,
                                                  activationBase: activationLinkBase())
            let patronRows = prepared.flatMap(\.patronRows)
            let consentRows = prepared.flatMap(\.consentRows)
            let tokenRows = prepared.flatMap(\.tokenRows)
            let auditRows = prepared.flatMap(\.auditRows)
            let mailRows = prepared.flatMap(\.mailRows)
            try await Self.insert(patronRows, into: Patron.schema, columns: Self.patronColumns, on: sql)
            try afterPatronsWritten?(chunk)
            try await Self.insert(consentRows, into: ConsentRecord.schema,
                                  columns: ["id", "patron_id", "document_id", "given_at", "channel", "evidence_document_id"], on: sql)
            try await Self.insert(tokenRows, into: PatronActivationToken.schema, columns: ["id", "patron_id", "token_hash", "expires_at"], on: sql)
            try await Self.insert(auditRows, into: AuditEvent.schema,
                                  columns: ["id", "occurred_at", "actor_type", "actor_id", "action", "subject_type", "subject_id",
                                            "library_id", "details"], on: sql)
            try await Self.insert(mailRows, into: OutboxMessage.schema,
                                  columns: ["kind", "partition_key", "payload", "secrets_sealed", "status", "attempts", "available_at",
                                            "created_at"], on: sql)
        }
        // The staged personal data is not kept once the patron row holds it (nor for someone skipped): what
        // stays links the row of the file to its card, so an erased card leaves nothing behind here.
        for (status, group) in [(GroupBatchRow.Status.imported, creating), (.skipped, skipping)] where !group.isEmpty {
            for start in stride(from: 0, to: group.count, by: Self.rowsPerStatement) {
                var update = sql.update(GroupBatchRow.schema).set("status", to: status.rawValue)
                for column in GroupBatchRow.personalColumns { update = update.set(column, to: SQLLiteral.null) }
                try await update.where("id", .in, group[start..<min(start + Self.rowsPerStatement, group.count)].map(\.id)).run()
            }
        }
        try await sql.raw("""
            UPDATE \(ident: GroupBatch.schema) SET imported_count = imported_count + \(bind: creating.count),
                skipped_count = skipped_count + \(bind: skipping.count), import_lease_until = \(bind: now.addingTimeInterval(leaseDuration))
            WHERE id = \(bind: context.batchID)
            """).run()
        return (creating.count, skipping.count)
    }

    /// Multi-row INSERTs of at most `rowsPerStatement` rows each (`MultiRowInsert`: SQLKit's own builder spent
    /// a tenth of an import serializing 19,000 bound values a statement).
    private static func insert(_ rows: [[any Encodable & Sendable]], into table: String, columns: [String], on sql: any SQLDatabase) async throws {
        for start in stride(from: 0, to: rows.count, by: rowsPerStatement) {
            try await sql.execute(sql: MultiRowInsert(table: table, columns: columns,
                                                      rows: rows[start..<min(start + rowsPerStatement, rows.count)])) { _ in }
        }
    }

    /// The rows a slice of a chunk writes, built off the database's way.
    struct Prepared: Sendable {
        var patronRows: [[any Encodable & Sendable]] = []
        var consentRows: [[any Encodable & Sendable]] = []
        var tokenRows: [[any Encodable & Sendable]] = []
        var auditRows: [[any Encodable & Sendable]] = []
        var mailRows: [[any Encodable & Sendable]] = []
    }

    static func prepare(_ creating: [StagedRow], firstSerial: Int, context: ImportContext, now: Date, emails: OutboxEmailBatch,
                        activationBase: String) async throws -> [Prepared] {
        let slices = max(1, min(ProcessInfo.processInfo.activeProcessorCount, creating.count / 100))
        let size = (creating.count + slices - 1) / slices
        return try await withThrowingTaskGroup(of: (Int, Prepared).self) { group in
            for slice in 0..<slices {
                let range = (slice * size)..<min((slice + 1) * size, creating.count)
                let rows = Array(creating[range])
                group.addTask {
                    (slice, try prepare(rows, firstSerial: firstSerial + range.lowerBound, context: context, now: now,
                                        emails: emails, activationBase: activationBase))
                }
            }
            var parts = [Prepared?](repeating: nil, count: slices)
            for try await (slice, part) in group { parts[slice] = part }
            return parts.compactMap { $0 }
        }
    }

    private static func prepare(_ rows: [StagedRow], firstSerial: Int, context: ImportContext, now: Date, emails: OutboxEmailBatch,
                                activationBase: String) throws -> Prepared {
        var prepared = Prepared()
        let expires = now.addingTimeInterval(Double(activationLinkLifetimeDays) * 86400)
        for (offset, row) in rows.enumerated() {
            let card = CardNumber.make(prefix: context.cardPrefix, serial: firstSerial + offset).value
            let patronID = row.patronID
            prepared.patronRows.append([
                patronID, context.libraryID, Patron.Status.active.rawValue, "personal",
                Patron.CardKind.digital.rawValue, "\(context.batchReference)-\(row.rowNumber)", card,
                IdentityDocumentKind.nationalID.rawValue, row.idNumberSealed, row.idNumberIndex,
                row.name, row.gender, row.birthDate, row.mobile, row.email,
                context.locale.rawValue, context.receivedAt, now, context.reviewerID,
                Patron.ApplicationChannel.group.rawValue,
            ])
            prepared.consentRows.append([
                UUID.random(), patronID, context.consentDocumentID, now, "group",
                context.statementDocumentID,
            ])
            let (token, hash) = OneTimeToken.make()
            prepared.tokenRows.append([UUID.random(), patronID, hash, expires])
            prepared.auditRows.append(auditRow(patronID: patronID, context: context, now: now, auditAction: "card.issued_by_group"))
            let mail = try emails.email(to: row.email, values: ["name": row.name, "card": card], secrets: ["link": activationBase + token])
            mail.partitionKey = PatronMail.partitionKey(patronID)
            prepared.mailRows.append([
                mail.kind.rawValue, mail.partitionKey, mail.payload, mail.secretsSealed,
                mail.status.rawValue,
                mail.attempts, mail.availableAt, mail.createdAt,
            ])
        }
        return prepared
    }

    /// A card's audit entry, written with the chunk's others in one INSERT. The action is labelled
    /// `auditAction:` where it is written, for the check that every action has words in both languages.
    private static func auditRow(patronID: UUID, context: ImportContext, now: Date, auditAction: String) -> [any Encodable & Sendable] {
        [
            UUID.random(), now, "system", "group-import", auditAction, "patron", patronID.uuidString, context.libraryID,
            "{\"batch\":\"\(context.batchReference)\"}",
        ]
    }

    private func activationLinkBase() -> String {
        var components = URLComponents(url: settings.baseURL, resolvingAgainstBaseURL: false)!
        components.path = SiteURL.activateCard.path
        return components.url!.absoluteString + "?token="
    }

    /// Completes the batch once no row is pending: the contact is told, with a link to the summary.
    private func complete(_ context: ImportContext) async throws -> Bool {
        let now = self.now
        return try await database.transaction { db in
            let pending = try await GroupBatchRow.query(on: db).filter(\.$batch.$id == context.batchID).filter(\.$status == .pending).count()
            guard pending == 0 else { return false }
            let claimed = try await (db as! any SQLDatabase).raw("""
                UPDATE \(ident: GroupBatch.schema) SET status = \(bind: GroupBatchStatus.completed.rawValue), completed_at = \(bind: now),
                    import_lease_until = NULL
                WHERE id = \(bind: context.batchID) AND status = \(bind: GroupBatchStatus.importing.rawValue) RETURNING id
                """).all()
            guard !claimed.isEmpty, let batch = try await GroupBatch.find(context.batchID, on: db) else { return false }
            try await AuditTrail.record("group_batch.completed", by: .system("group-import"), subject: ("group_batch", context.batchID.uuidString),
                                        libraryID: context.libraryID,
                                        details: ["imported": String(batch.importedCount), "skipped": String(batch.skippedCount)],
                                        at: now, on: db)
            let record = try await GroupApplicationRecord.find(context.application.id, on: db) ?? context.application
            let link = try await GroupContactAccess(baseURL: settings.baseURL, now: now)
                .issueLink(for: record, next: SiteURL.groupContactBatch(id: .value(context.batchID)).path, on: db)
            try await outbox(at: now).enqueueEmail(
                template: "group_batch_completed", to: record.contactEmail, locale: context.locale,
                values: ["name": record.contactName, "organization": record.organizationName, "reference": batch.reference,
                         "letter": batch.letterNumber, "cards": String(batch.importedCount),
                         "left": String(batch.skippedCount + GroupBatchView.leftOutRows(batch).count),
                         "library": context.libraryName, "hours": String(GroupContactAccess.linkLifetimeHours)],
                secrets: ["link": link], from: context.library, on: db)
            return true
        }
    }
}
