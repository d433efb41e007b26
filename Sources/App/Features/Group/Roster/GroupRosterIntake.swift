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
/// People who already hold a card in the consortium (or are already in another batch still being
/// worked on) are not errors the contact can fix: they are reported and left out of the batch.
struct GroupRosterIntake {
    enum Outcome {
        case returned(GroupRosterUpload, leftOut: [GroupLeftOutRow])
        case unreadable(GroupRosterUpload, ReaderDataFileError)
        case accepted(GroupBatch, GroupRosterUpload)
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
    func receive(_ bytes: Data, letter: OfficialLetter, for record: GroupApplicationRecord, locale: SiteLocale,
                 ipAddress: String?) async throws -> Outcome {
        let applicationID = try record.requireID()
        try await ensureLetterUnused(letter, applicationID: applicationID, on: database)
        let checker = self.checker()
        // Reading, checking and indexing 100,000 rows is CPU work: off the event loop.
        let checked: (ReaderDataFileReport, [String])
        do {
            checked = try await threadPool.runIfActive {
                let report = try checker.check(data: bytes)
                let indexes = report.validRows.map { vault.blindIndex($0.idNumber.value, context: CardApplicationService.idNumberContext) }
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
        let leftOut = try await peopleToLeaveOut(report.validRows, indexes: indexes, on: database)
        let remaining = report.validRows.indices.filter { leftOut[$0] == nil }

        guard report.isClean, !remaining.isEmpty else {
            return try await returnFile(bytes, report: report, leftOut: leftOut, record: record, letter: letter, locale: locale,
                                        ipAddress: ipAddress, checker: checker)
        }
        return try await stageBatch(report: report, indexes: indexes, leftOut: leftOut, remaining: remaining, record: record,
                                    letter: letter, locale: locale, ipAddress: ipAddress)
    }

    func ensureLetterUnused(_ letter: OfficialLetter, applicationID: UUID, on database: any Database) async throws {
        if try await GroupBatch.query(on: database).filter(\.$application.$id == applicationID)
            .filter(\.$letterNumber == letter.number).first() != nil {
            throw GroupApplicationError.invalid([FieldError(field: "letterNumber", code: "letter_number_used")])
        }
    }

    private func contactActor(_ record: GroupApplicationRecord, _ ipAddress: String?) -> AuditActor {
        AuditActor(type: "group_contact", id: record.id?.uuidString, ipAddress: ipAddress)
    }

    /// Rows (by index into `rows`) whose person already holds a card, or is in a batch not yet finished.
    private func peopleToLeaveOut(_ rows: [ReaderRow], indexes: [String], on database: any Database) async throws -> [Int: GroupLeftOutRow] {
        guard let sql = database as? any SQLDatabase else { return [:] }
        var holding = Set<String>()
        var waiting = Set<String>()
        for start in stride(from: 0, to: indexes.count, by: Self.chunkSize) {
            let slice = Array(indexes[start..<min(start + Self.chunkSize, indexes.count)])
            let cards = try await sql.select().column("id_number_index").from(Patron.schema)
                .where("id_number_index", .in, slice).all()
            for row in cards { holding.insert(try row.decode(column: "id_number_index", as: String.self)) }
            let staged = try await sql.select().column(SQLColumn("id_number_index", table: GroupBatchRow.schema))
                .from(GroupBatchRow.schema)
                .join(GroupBatch.schema, on: SQLColumn("batch_id", table: GroupBatchRow.schema), .equal, SQLColumn("id", table: GroupBatch.schema))
                .where(SQLColumn("id_number_index", table: GroupBatchRow.schema), .in, SQLBind.group(slice))
                .where(SQLColumn("status", table: GroupBatchRow.schema), .equal, SQLBind(GroupBatchRow.Status.pending.rawValue))
                .where(SQLColumn("status", table: GroupBatch.schema), .in,
                       SQLBind.group([GroupBatchStatus.queued.rawValue, GroupBatchStatus.importing.rawValue]))
                .all()
            for row in staged { waiting.insert(try row.decode(column: "id_number_index", as: String.self)) }
        }
        var leftOut: [Int: GroupLeftOutRow] = [:]
        for (position, index) in indexes.enumerated() {
            if holding.contains(index) {
                leftOut[position] = GroupLeftOutRow(row: rows[position].row, name: rows[position].name, code: "already_holds_card")
            } else if waiting.contains(index) {
                leftOut[position] = GroupLeftOutRow(row: rows[position].row, name: rows[position].name, code: "already_in_batch")
            }
        }
        return leftOut
    }

    // MARK: Returned (退回)

    private func returnFile(_ bytes: Data, report: ReaderDataFileReport, leftOut: [Int: GroupLeftOutRow], record: GroupApplicationRecord,
                            letter: OfficialLetter, locale: SiteLocale, ipAddress: String?,
                            checker: ReaderDataFileChecker) async throws -> Outcome {
        let uploadID = UUID()
        let fileLocale = locale.readerDataFileLocale
        // A file whose only problem is that nobody is left to register goes back without an annotated copy.
        let annotated: Data? = report.isClean ? nil : try await threadPool.runIfActive {
            try AnnotatedReturn.xlsx(data: bytes, report: report, checker: checker, locale: fileLocale)
        }
        let store = sealedFiles
        let upload = GroupRosterUpload()
        upload.id = uploadID
        let left = leftOut.sorted { $0.key < $1.key }.map(\.value)
        do {
            try await database.transaction { db in
                if let annotated { try await store.store(annotated, id: uploadID, context: upload.sealContext, on: db) }
                try await removeEarlierAnnotatedFiles(of: record, on: db)
                try fill(upload, outcome: .returned, record: record, letter: letter, report: report, unreadable: nil)
                upload.hasAnnotatedFile = annotated != nil
                if !left.isEmpty { upload.leftOut = String(decoding: try JSONEncoder.sorted.encode(left), as: UTF8.self) }
                try await upload.create(on: db)
                try await AuditTrail.record("group_roster.returned", by: contactActor(record, ipAddress),
                                            subject: ("group_roster_upload", uploadID.uuidString), libraryID: record.$library.id,
                                            details: ["rows": String(report.rows), "errors": String(report.errors.count),
                                                      "leftOut": String(left.count)],
                                            at: now, on: db)
            }
        } catch {
            try? await store.remove(id: uploadID)
            throw error
        }
        return .returned(upload, leftOut: left)
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

    private func stageBatch(report: ReaderDataFileReport, indexes: [String], leftOut: [Int: GroupLeftOutRow], remaining: [Int],
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
        let staged: [[any SQLExpression]] = try await threadPool.runIfActive {
            try remaining.map { position in
                let row = rows[position]
                let gender = row.gender ?? row.idNumber.genderFromNumber
                return [
                    SQLBind(batchID), SQLBind(row.row), SQLBind(UUID()), SQLBind(GroupBatchRow.Status.pending.rawValue),
                    SQLBind(try vault.seal(row.idNumber.value, context: CardApplicationService.idNumberContext)),
                    SQLBind(indexes[position]), SQLBind(row.name), SQLBind(gender?.rawValue), SQLBind(row.birthDate.iso),
                    SQLBind(row.role.rawValue), SQLBind(row.email), SQLBind(row.mobile), SQLBind(row.unit), SQLBind(row.sequence),
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
                    try await sql.insert(into: GroupBatchRow.schema)
                        .columns("batch_id", "row_number", "patron_id", "status", "id_number_sealed", "id_number_index", "name",
                                 "gender", "birth_date", "role", "email", "mobile", "unit", "sequence")
                        .rows(Array(staged[start..<min(start + Self.chunkSize, staged.count)]))
                        .run()
                }
                try await removeEarlierAnnotatedFiles(of: record, on: db)
                try fill(upload, outcome: .accepted, record: record, letter: letter, report: report, unreadable: nil)
                upload.batchID = batchID
                try await upload.create(on: db)
                try await AuditTrail.record("group_batch.received", by: contactActor(record, ipAddress),
                                            subject: ("group_batch", batchID.uuidString), libraryID: library.id,
                                            details: ["reference": batch.reference, "rows": String(remaining.count), "leftOut": String(left.count)],
                                            at: now, on: db)
                try await outbox.enqueueEmail(
                    template: "group_batch_received", to: record.contactEmail, locale: locale,
                    values: ["name": record.contactName, "organization": record.organizationName, "reference": batch.reference,
                             "letter": batch.letterNumber, "rows": String(remaining.count), "left": String(left.count),
                             "target": batch.targetOn, "due": batch.dueOn,
                             "library": library.name(in: locale)],
                    on: db)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            // A concurrent upload under the same letter won.
            throw GroupApplicationError.invalid([FieldError(field: "letterNumber", code: "letter_number_used")])
        }
        return .accepted(batch, upload)
    }
}
