import Fluent
import Foundation
import OneCardDomain
import PersonalDataVault
import ReaderDataFile
import SQLKit
import Vapor

/// A reader data file (讀者資料檔) arriving from an organization's contact: every row checked at once;
/// a file with any error goes back (退回) with each error named by row and column and an annotated copy
/// to download, and nothing of it is kept; a clean file becomes a queued batch under its own letter.
///
/// People who are already registered in the consortium (or are already in another batch still being
/// worked on) are not errors the contact can fix: they are reported and left out of the batch.
///
/// A contact is no oracle of who is registered (issue #12 item 2): a returned file tells only what is
/// in the file itself, and the consortium is consulted only for a clean file, which uses up its letter
/// whatever the outcome; what it tells of a person outside the organization is one generic fact
/// (`already_registered`); and uploads are limited per organization (`GroupRosterUploadLimit`).
struct GroupRosterIntake {
    enum Outcome {
        case returned(GroupRosterUpload)
        case unreadable(GroupRosterUpload, ReaderDataFileError)
        case accepted(GroupBatch, GroupRosterUpload)
        /// A clean file whose every person is already registered or in a batch: nothing to queue, but
        /// the letter is used up all the same, so it cannot be used to ask again.
        case nobodyToRegister(GroupRosterUpload, leftOut: [GroupLeftOutRow])
    }

    /// Rows per statement when staging a batch and looking people up.
    static let chunkSize = 500

    let database: any Database
    /// Seals the ID numbers and makes their blind indexes.
    let vault: PersonalDataVault
    /// Where annotated copies of returned files are kept, sealed.
    let sealedFiles: SealedFileStore
    /// Reading, checking and sealing a large file is CPU work, done here off the event loop.
    let threadPool: NIOThreadPool
    /// The contact's receipt email, queued in the batch's transaction.
    let outbox: Outbox
    let now: Date

    var today: CalendarDay { CalendarDay(date: now, timeZone: .taipei) }

    func checker() -> ReaderDataFileChecker {
        ReaderDataFileChecker(today: today)
    }

    /// The contact's upload form: the letter (number, and a date not in the future) and the file are
    /// checked first, and every problem of the form is thrown at once (`GroupApplicationError.invalid`);
    /// then the file is `receive`d under that letter.
    func receive(_ bytes: Data, letterNumber: String, letterDate: String, for record: GroupApplicationRecord, locale: SiteLocale,
                 ipAddress: String?) async throws -> Outcome {
        var errors: [FieldError] = []
        var letter: OfficialLetter?
        switch OfficialLetter.validate(number: letterNumber, date: letterDate, today: today) {
        case .success(let valid): letter = valid
        case .failure(let failure): errors = failure.errors
        }
        if bytes.isEmpty { errors.append(FieldError(field: "file", code: "roster_file_required")) }
        guard errors.isEmpty, let letter else { throw GroupApplicationError.invalid(errors) }
        return try await receive(bytes, letter: letter, for: record, locale: locale, ipAddress: ipAddress)
    }

    /// Checks `bytes` and files the outcome for `record`. `letter` was validated by the caller; an
    /// already used letter number is refused here (`letter_number_used`), also when a concurrent upload won.
    /// `rateLimited`: a contact's upload counts against the organization's limits before the file is
    /// read (`GroupApplicationError.uploadLimitReached`); an operator's `group import-batch` does not.
    func receive(_ bytes: Data, letter: OfficialLetter, for record: GroupApplicationRecord, locale: SiteLocale,
                 ipAddress: String?, rateLimited: Bool = true) async throws -> Outcome {
        let applicationID = try record.requireID()
        try await ensureLetterUnused(letter, applicationID: applicationID, on: database)
        let limit = GroupRosterUploadLimit(database: database, now: now)
        if rateLimited {
            try await limit.admitUpload(of: record, ipAddress: ipAddress)
        }
        let checker = self.checker()
        // Reading, checking and indexing 100,000 rows is CPU work: off the event loop.
        let checked: (ReaderDataFileReport, [String])
        do {
            checked = try await threadPool.runIfActive {
                let report = try checker.check(data: bytes)
                // Only a clean file is looked up in the consortium: no index is needed for one going back.
                let indexes = report.isClean
                    ? report.validRows.map { vault.blindIndex($0.idNumber.value, context: CardApplicationService.idNumberContext) } : []
                return (report, indexes)
            }
        } catch let error as ReaderDataFileError {
            let upload = try await fileUpload(.unreadable, record: record, letter: letter, report: nil, unreadable: error, database: database)
            try await AuditTrail.record("group_roster.unreadable", by: contactActor(record, ipAddress),
                                        subject: ("group_roster_upload", upload.id!.uuidString), libraryID: record.$library.id,
                                        details: ["code": error.code], at: now, on: database)
            return .unreadable(upload, error)
        }
        let (report, indexes) = checked
        // A file with errors goes back telling only what is in it: looking its people up in the consortium
        // would answer, row by row, who is registered, for a file that registers nobody and uses up no letter.
        guard report.isClean else {
            return try await returnFile(bytes, report: report, record: record, letter: letter, locale: locale, ipAddress: ipAddress,
                                        checker: checker)
        }
        if rateLimited {
            try await limit.admitRows(report.validRows.count, of: record, ipAddress: ipAddress)
        }
        let (leftOut, detailsDiffer) = try await peopleToLeaveOut(report.validRows, indexes: indexes, applicationID: applicationID,
                                                                  on: database)
        let remaining = report.validRows.indices.filter { leftOut[$0] == nil }
        guard !remaining.isEmpty else {
            return try await recordNobodyToRegister(report: report, leftOut: leftOut, detailsDiffer: detailsDiffer, record: record,
                                                    letter: letter, ipAddress: ipAddress)
        }
        return try await stageBatch(report: report, indexes: indexes, leftOut: leftOut, detailsDiffer: detailsDiffer,
                                    remaining: remaining, record: record, letter: letter, locale: locale, ipAddress: ipAddress)
    }

    /// A letter is used up by its batch, and by a clean file in which nobody was left to register (the
    /// partial unique index `group_roster_uploads_one_per_letter` keeps both to one per letter).
    func ensureLetterUnused(_ letter: OfficialLetter, applicationID: UUID, on database: any Database) async throws {
        let batch = try await GroupBatch.query(on: database).filter(\.$application.$id == applicationID)
            .filter(\.$letterNumber == letter.number).first()
        let upload = try await GroupRosterUpload.query(on: database).filter(\.$application.$id == applicationID)
            .filter(\.$letterNumber == letter.number).filter(\.$outcome ~~ GroupRosterUpload.Outcome.usingUpTheLetter).first()
        if batch != nil || upload != nil {
            throw GroupApplicationError.invalid([FieldError(field: "letterNumber", code: "letter_number_used")])
        }
    }

    private func contactActor(_ record: GroupApplicationRecord, _ ipAddress: String?) -> AuditActor {
        AuditActor(type: "group_contact", id: record.id?.uuidString, ipAddress: ipAddress)
    }

    /// Name and birth date of someone already known, to tell whether a row describes the same person.
    private struct KnownPerson {
        let name: String?
        let birthDate: String?
        /// In one of this organization's own unfinished batches.
        let ownBatch: Bool
    }

    /// Rows (by index into `rows`) whose person is already registered (a card or an application of any
    /// status, in the patrons table) or in a batch not yet finished; and how many of them differ from the
    /// person found in name or birth date.
    ///
    /// The contact is told one fact of someone outside the organization, `already_registered`, whether or
    /// not the name and birth date match: telling the two apart would confirm, for an ID number alone,
    /// that it belongs to someone else. Only this organization's own unfinished batches are named as such
    /// (`already_in_batch`): those are people the contact sent. How many matches differ goes to the audit
    /// entry, where staff can see a contact trying ID numbers with made-up names.
    private func peopleToLeaveOut(_ rows: [ReaderRow], indexes: [String], applicationID: UUID,
                                  on database: any Database) async throws -> ([Int: GroupLeftOutRow], Int) {
        guard let sql = database as? any SQLDatabase else { return ([:], 0) }
        var holding: [String: KnownPerson] = [:]
        var waiting: [String: KnownPerson] = [:]
        for start in stride(from: 0, to: indexes.count, by: Self.chunkSize) {
            let slice = Array(indexes[start..<min(start + Self.chunkSize, indexes.count)])
            let cards = try await sql.select().column("id_number_index").column("name").column("birth_date").from(Patron.schema)
                .where("id_number_index", .in, slice).all()
            for row in cards {
                holding[try row.decode(column: "id_number_index", as: String.self)] = KnownPerson(
                    name: try row.decode(column: "name", as: String?.self), birthDate: try row.decode(column: "birth_date", as: String?.self),
                    ownBatch: false)
            }
            let staged = try await sql.select().column(SQLColumn("id_number_index", table: GroupBatchRow.schema))
                .column(SQLColumn("name", table: GroupBatchRow.schema)).column(SQLColumn("birth_date", table: GroupBatchRow.schema))
                .column(SQLColumn("application_id", table: GroupBatch.schema))
                .from(GroupBatchRow.schema)
                .join(GroupBatch.schema, on: SQLColumn("batch_id", table: GroupBatchRow.schema), .equal, SQLColumn("id", table: GroupBatch.schema))
                .where(SQLColumn("id_number_index", table: GroupBatchRow.schema), .in, SQLBind.group(slice))
                .where(SQLColumn("status", table: GroupBatchRow.schema), .equal, SQLBind(GroupBatchRow.Status.pending.rawValue))
                .where(SQLColumn("status", table: GroupBatch.schema), .in,
                       SQLBind.group([GroupBatchStatus.queued.rawValue, GroupBatchStatus.importing.rawValue]))
                .all()
            for row in staged {
                let index = try row.decode(column: "id_number_index", as: String.self)
                let own = try row.decode(column: "application_id", as: UUID.self) == applicationID
                // One of the organization's own batches wins over another's: it is what the contact may be told.
                if waiting[index]?.ownBatch == true { continue }
                waiting[index] = KnownPerson(name: try row.decode(column: "name", as: String?.self),
                                             birthDate: try row.decode(column: "birth_date", as: String?.self), ownBatch: own)
            }
        }
        var leftOut: [Int: GroupLeftOutRow] = [:]
        var detailsDiffer = 0
        for (position, index) in indexes.enumerated() {
            guard let known = holding[index] ?? waiting[index] else { continue }
            let row = rows[position]
            let code = holding[index] == nil && known.ownBatch ? GroupLeftOutRow.alreadyInBatch : GroupLeftOutRow.alreadyRegistered
            leftOut[position] = GroupLeftOutRow(row: row.row, name: row.name, code: code)
            if known.name != row.name || known.birthDate != row.birthDate.iso { detailsDiffer += 1 }
        }
        return (leftOut, detailsDiffer)
    }

    // MARK: Returned (退回)

    /// A file with errors, with its annotated copy: errors by row and column, and nothing looked up.
    private func returnFile(_ bytes: Data, report: ReaderDataFileReport, record: GroupApplicationRecord, letter: OfficialLetter,
                            locale: SiteLocale, ipAddress: String?, checker: ReaderDataFileChecker) async throws -> Outcome {
        let uploadID = UUID()
        let fileLocale = locale.readerDataFileLocale
        let annotated = try await threadPool.runIfActive {
            try AnnotatedReturn.xlsx(data: bytes, report: report, checker: checker, locale: fileLocale)
        }
        let store = sealedFiles
        let upload = GroupRosterUpload()
        upload.id = uploadID
        do {
            try await database.transaction { db in
                try await store.store(annotated, id: uploadID, context: upload.sealContext, on: db)
                try await removeEarlierAnnotatedFiles(of: record, on: db)
                try fill(upload, outcome: .returned, record: record, letter: letter, report: report, unreadable: nil)
                upload.hasAnnotatedFile = true
                try await upload.create(on: db)
                try await AuditTrail.record("group_roster.returned", by: contactActor(record, ipAddress),
                                            subject: ("group_roster_upload", uploadID.uuidString), libraryID: record.$library.id,
                                            details: ["rows": String(report.rows), "errors": String(report.errors.count)],
                                            at: now, on: db)
            }
        } catch {
            try? await store.remove(id: uploadID)
            throw error
        }
        return .returned(upload)
    }

    // MARK: Nobody to register

    /// A clean file of people who are all registered already: recorded under its letter, which it uses up.
    private func recordNobodyToRegister(report: ReaderDataFileReport, leftOut: [Int: GroupLeftOutRow], detailsDiffer: Int,
                                        record: GroupApplicationRecord, letter: OfficialLetter,
                                        ipAddress: String?) async throws -> Outcome {
        let left = leftOut.sorted { $0.key < $1.key }.map(\.value)
        let upload = GroupRosterUpload()
        upload.id = UUID()
        do {
            try await database.transaction { db in
                try await removeEarlierAnnotatedFiles(of: record, on: db)
                try fill(upload, outcome: .nobodyToRegister, record: record, letter: letter, report: report, unreadable: nil)
                upload.leftOut = String(decoding: try JSONEncoder.sorted.encode(left), as: UTF8.self)
                try await upload.create(on: db)
                try await AuditTrail.record("group_roster.nobody_to_register", by: contactActor(record, ipAddress),
                                            subject: ("group_roster_upload", upload.id!.uuidString), libraryID: record.$library.id,
                                            details: ["rows": String(report.rows), "leftOut": String(left.count),
                                                      "detailsDiffer": String(detailsDiffer)],
                                            at: now, on: db)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // A concurrent upload under the same letter won.
            throw GroupApplicationError.invalid([FieldError(field: "letterNumber", code: "letter_number_used")])
        }
        return .nobodyToRegister(upload, leftOut: left)
    }

    /// Returned files are kept for the contact to fix for this long, unless a newer upload replaces them sooner.
    static let returnedFileLifetime: TimeInterval = 30 * 86400

    /// Removes annotated copies of returned files older than `returnedFileLifetime` (run by the worker).
    @discardableResult
    func removeStaleReturnedFiles() async throws -> Int {
        let stale = try await GroupRosterUpload.query(on: database).filter(\.$hasAnnotatedFile == true)
            .filter(\.$uploadedAt < now.addingTimeInterval(-Self.returnedFileLifetime)).all()
        for upload in stale {
            try await database.transaction { db in
                try await sealedFiles.remove(id: upload.requireID(), on: db)
                upload.hasAnnotatedFile = false
                try await upload.save(on: db)
            }
        }
        return stale.count
    }

    /// Only the latest returned file is kept: it is the one the contact is fixing.
    private func removeEarlierAnnotatedFiles(of record: GroupApplicationRecord, on db: any Database) async throws {
        let earlier = try await GroupRosterUpload.query(on: db).filter(\.$application.$id == record.requireID())
            .filter(\.$hasAnnotatedFile == true).all()
        for upload in earlier {
            try await sealedFiles.remove(id: upload.requireID(), on: db)
            upload.hasAnnotatedFile = false
            try await upload.save(on: db)
        }
    }

    private func fill(_ upload: GroupRosterUpload, outcome: GroupRosterUpload.Outcome, record: GroupApplicationRecord,
                      letter: OfficialLetter, report: ReaderDataFileReport?, unreadable: ReaderDataFileError?) throws {
        upload.$application.id = try record.requireID()
        upload.outcome = outcome
        upload.uploadedAt = now
        upload.format = report?.format.rawValue
        upload.letterNumber = letter.number
        upload.letterDate = letter.date.iso
        upload.rowCount = report?.rows ?? 0
        upload.errorCount = report?.errors.count ?? 0
        if let report, !report.errors.isEmpty {
            upload.errors = String(decoding: try JSONEncoder.sorted.encode(report.errors), as: UTF8.self)
        }
        upload.unreadableCode = unreadable?.code
        upload.hasAnnotatedFile = false
    }

    private func fileUpload(_ outcome: GroupRosterUpload.Outcome, record: GroupApplicationRecord, letter: OfficialLetter,
                            report: ReaderDataFileReport?, unreadable: ReaderDataFileError?, database: any Database) async throws -> GroupRosterUpload {
        let upload = GroupRosterUpload()
        upload.id = UUID()
        try fill(upload, outcome: outcome, record: record, letter: letter, report: report, unreadable: unreadable)
        try await upload.create(on: database)
        return upload
    }

    // MARK: Accepted

    private func stageBatch(report: ReaderDataFileReport, indexes: [String], leftOut: [Int: GroupLeftOutRow], detailsDiffer: Int,
                            remaining: [Int],
                            record: GroupApplicationRecord, letter: OfficialLetter, locale: SiteLocale,
                            ipAddress: String?) async throws -> Outcome {
        let library = try await record.$library.get(on: database)
        let calendar = try await OfficialCalendarStore.calendar(libraryID: library.requireID(), on: database)
        let schedule = GroupBatchSchedule(received: today, calendar: calendar)
        let batch = GroupBatch()
        batch.id = UUID()
        batch.$application.id = try record.requireID()
        batch.reference = GroupApplicationService.reference(library: library.code, kind: "B", now: now)
        batch.letterNumber = letter.number
        batch.letterDate = letter.date.iso
        batch.status = .queued
        batch.receivedAt = now
        batch.targetOn = schedule.target.iso
        batch.dueOn = schedule.due.iso
        batch.rowCount = remaining.count
        let left = leftOut.sorted { $0.key < $1.key }.map(\.value)
        batch.leftOut = String(decoding: try JSONEncoder.sorted.encode(left), as: UTF8.self)
        batch.importedCount = 0
        batch.skippedCount = 0

        // Sealing every ID number is CPU work too; the patron rows will take these envelopes as they are.
        let batchID = batch.id!
        let rows = report.validRows
        let staged: [[any Encodable & Sendable]] = try await threadPool.runIfActive {
            try remaining.map { position in
                let row = rows[position]
                let gender = row.gender ?? row.idNumber.genderFromNumber
                return [
                    batchID, row.row, UUID.random(), GroupBatchRow.Status.pending.rawValue,
                    try vault.seal(row.idNumber.value, context: CardApplicationService.idNumberContext),
                    indexes[position], row.name, gender?.rawValue, row.birthDate.iso,
                    row.role.rawValue, row.email, row.mobile, row.unit, row.sequence,
                ]
            }
        }
        let upload = GroupRosterUpload()
        upload.id = UUID()
        do {
            try await database.transaction { db in
                try await batch.create(on: db)
                let sql = db as! any SQLDatabase
                for start in stride(from: 0, to: staged.count, by: Self.chunkSize) {
                    try await sql.execute(sql: MultiRowInsert(
                        table: GroupBatchRow.schema,
                        columns: ["batch_id", "row_number", "patron_id", "status", "id_number_sealed", "id_number_index", "name",
                                  "gender", "birth_date", "role", "email", "mobile", "unit", "sequence"],
                        rows: staged[start..<min(start + Self.chunkSize, staged.count)])) { _ in }
                }
                try await removeEarlierAnnotatedFiles(of: record, on: db)
                try fill(upload, outcome: .accepted, record: record, letter: letter, report: report, unreadable: nil)
                upload.batchID = batchID
                try await upload.create(on: db)
                try await AuditTrail.record("group_batch.received", by: contactActor(record, ipAddress),
                                            subject: ("group_batch", batchID.uuidString), libraryID: library.id,
                                            details: ["reference": batch.reference, "rows": String(remaining.count), "leftOut": String(left.count),
                                                      "detailsDiffer": String(detailsDiffer)],
                                            at: now, on: db)
                try await outbox.enqueueEmail(
                    template: "group_batch_received", to: record.contactEmail, locale: locale,
                    values: ["name": record.contactName, "organization": record.organizationName, "reference": batch.reference,
                             "letter": batch.letterNumber, "rows": String(remaining.count), "left": String(left.count),
                             "target": DisplayTime.day(iso: batch.targetOn, in: locale),
                             "due": DisplayTime.day(iso: batch.dueOn, in: locale),
                             "library": library.name(in: locale)],
                    from: library, on: db)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // A concurrent upload under the same letter won.
            throw GroupApplicationError.invalid([FieldError(field: "letterNumber", code: "letter_number_used")])
        }
        return .accepted(batch, upload)
    }
}
