import Fluent
import Foundation
import OneCardDomain
import ReaderDataFile
import Vapor

/// `onecard group import-batch FILE …` checks a reader data file, stages it as a batch, approves and
/// imports it; `onecard group import-batch BATCH` resumes the import of a batch that a crashed run left
/// unfinished, once its lease has run out (the worker's own crash recovery, `GroupBatchImporter.run`).
///
/// Running the FILE form again after a crash would stage the file a second time under a letter its
/// batch already holds (`letter_number_used`): the refusal names that batch and says what to run.
struct GroupImportBatchCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "A reader data file (xlsx, ods or csv), or the reference of a batch whose import is to be resumed")
        var file: String
        @Option(name: "organization", help: "The organization's application reference (e.g. NLPI-G260522-4F7K2Q)") var organization: String?
        @Option(name: "letter-number", help: "This batch's official letter number") var letterNumber: String?
        @Option(name: "letter-date", help: "This batch's official letter date") var letterDate: String?
        @Option(name: "chunk-size", help: "Rows per transaction (default \(GroupBatchImporter.defaultChunkSize))") var chunkSize: Int?
    }

    var help: String {
        "Checks a reader data file, queues it as a batch of an approved organization, approves and imports it; given a batch reference, resumes its unfinished import"
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let now = app.clock.now()
        var importer = GroupBatchImporter(database: app.db, clock: app.clock, localizer: app.localizer, settings: app.settings, vault: app.vault,
                                          logger: app.logger)
        if let size = signature.chunkSize {
            guard size > 0 else { throw GroupCommandError(description: "--chunk-size must be positive") }
            importer.chunkSize = size
        }
        if let batch = try await GroupBatch.query(on: app.db).filter(\.$reference == signature.file).with(\.$application).first() {
            try await resume(batch, importer: importer, app: app)
            return
        }
        guard let reference = signature.organization,
              let record = try await GroupApplicationRecord.query(on: app.db).filter(\.$reference == reference).first()
        else { throw GroupCommandError(description: "--organization must name a group application's reference") }
        guard record.status == .approved else { throw GroupCommandError(description: "\(reference) is not approved") }
        let today = CalendarDay(date: now, timeZone: .taipei)
        let letter: OfficialLetter
        switch OfficialLetter.validate(number: signature.letterNumber ?? "", date: signature.letterDate ?? "", today: today) {
        case .success(let valid): letter = valid
        case .failure(let failure):
            throw GroupCommandError(description: "letter refused: " + failure.errors.map(\.code).joined(separator: ", "))
        }
        guard let bytes = FileManager.default.contents(atPath: signature.file) else {
            throw GroupCommandError(description: "cannot read \(signature.file) (neither a file nor the reference of a batch)")
        }
        let clock = ContinuousClock()
        let started = clock.now
        let outcome: GroupRosterIntake.Outcome
        do {
            let intake = GroupRosterIntake(database: app.db, vault: app.vault, sealedFiles: app.sealedFiles, threadPool: app.threadPool,
                                           outbox: Outbox(localizer: app.localizer, settings: app.settings, vault: app.vault, now: now), now: now)
            // The operator is not limited as a contact's uploads are.
            outcome = try await intake.receive(bytes, letter: letter, for: record, locale: record.siteLocale, ipAddress: nil, rateLimited: false)
        } catch GroupApplicationError.invalid(let errors) {
            if errors.contains(where: { $0.code == "letter_number_used" }) {
                throw GroupCommandError(description: try await letterUsed(letter, of: record, app: app))
            }
            throw GroupCommandError(description: "refused: " + errors.map { "\($0.field) \($0.code)" }.joined(separator: ", "))
        }
        let file = URL(fileURLWithPath: signature.file).lastPathComponent
        switch outcome {
        case .unreadable(_, let error):
            FileHandle.standardOutput.write(Data((RosterCheck.json(file: file, error: error, message: app.localizer.text(error, .zhTW)) + "\n").utf8))
            exit(2)
        case .returned(let upload), .nobodyToRegister(let upload, _):
            let errors = try upload.errors.map { try JSONDecoder().decode([RowError].self, from: Data($0.utf8)) } ?? []
            let report = ReaderDataFileReport(format: ReaderDataFileFormat(rawValue: upload.format ?? "") ?? .xlsx, sheetName: nil,
                                              headerRow: nil, columns: [:], rows: upload.rowCount, validRows: [], errors: errors)
            var json = RosterCheck.json(file: file, report: report)
            json.removeLast()
            if case .nobodyToRegister(_, let leftOut) = outcome {
                // Clean, but everyone is registered already: nothing to import, and the letter is used up.
                json += ",\"leftOut\":\(leftOut.count),\"returned\":false,\"nobodyToRegister\":true}"
            } else {
                json += ",\"leftOut\":0,\"returned\":true}"
            }
            FileHandle.standardOutput.write(Data((json + "\n").utf8))
            exit(1)
        case .accepted(let batch, _):
            let staged = clock.now
            try await importer.approve(batch, reviewerID: nil, actor: .system("cli"))
            try await importAndReport(batch, record: record, importer: importer, app: app, started: started, staged: staged)
        }
    }

    /// Carries on with `batch` where a crashed run left it: only an import that started and whose lease
    /// has run out (no run is working on it); anything else is refused with what to do instead.
    private func resume(_ batch: GroupBatch, importer: GroupBatchImporter, app: Application) async throws {
        let now = app.clock.now()
        switch batch.status {
        case .queued:
            throw GroupCommandError(description: "batch \(batch.reference) is waiting for a reviewer's decision: "
                                    + "approve or reject it at \(SiteURL.staffGroupBatch(id: .value(try batch.requireID())).path); once approved it is imported")
        case .completed:
            throw GroupCommandError(description: "batch \(batch.reference) was completed at \(batch.completedAt.map(DisplayTime.second) ?? "-") "
                                    + "(\(batch.importedCount) cards, \(batch.skippedCount) skipped): there is nothing to resume")
        case .rejected:
            throw GroupCommandError(description: "batch \(batch.reference) was rejected: there is nothing to import")
        case .importing:
            if let until = batch.importLeaseUntil, until > now {
                throw GroupCommandError(description: try await leaseHeld(batch, until: until, app: app))
            }
        }
        let clock = ContinuousClock()
        let started = clock.now
        try await importAndReport(batch, record: batch.application, importer: importer, app: app, started: started, staged: started)
    }

    private func leaseHeld(_ batch: GroupBatch, until: Date, app: Application) async throws -> String {
        var approver: String?
        if let reviewerID = batch.decidedBy { approver = try await StaffMember.find(reviewerID, on: app.db)?.email }
        return "batch \(batch.reference) is being imported by another run (the server's import worker or another "
            + "`onecard group import-batch`; approved by \(approver ?? "an operator on the command line") at "
            + "\(batch.decidedAt.map(DisplayTime.second) ?? "-")), which holds it until \(DisplayTime.second(until)) (Asia/Taipei, "
            + "\(batch.importedCount) of \(batch.rowCount) rows imported so far): wait for it to finish; if that run has stopped, "
            + "run `onecard group import-batch \(batch.reference)` after that time to resume it"
    }

    /// Why `letter` is used, and what the operator can do about it.
    private func letterUsed(_ letter: OfficialLetter, of record: GroupApplicationRecord, app: Application) async throws -> String {
        let prefix = "refused: letterNumber letter_number_used: "
        if let batch = try await GroupBatch.query(on: app.db).filter(\.$application.$id == record.requireID())
            .filter(\.$letterNumber == letter.number).first() {
            switch batch.status {
            case .importing:
                if let until = batch.importLeaseUntil, until > app.clock.now() {
                    return prefix + (try await leaseHeld(batch, until: until, app: app))
                }
                return prefix + "batch \(batch.reference) for this letter exists and its import did not finish "
                    + "(\(batch.importedCount) of \(batch.rowCount) rows imported): run `onecard group import-batch \(batch.reference)` to resume it"
            case .queued:
                return prefix + "batch \(batch.reference) for this letter is waiting for a reviewer's decision at "
                    + SiteURL.staffGroupBatch(id: .value(try batch.requireID())).path
            case .completed:
                return prefix + "batch \(batch.reference) for this letter was completed at \(batch.completedAt.map(DisplayTime.second) ?? "-"); "
                    + "every batch needs its own letter"
            case .rejected:
                return prefix + "batch \(batch.reference) for this letter was rejected; every batch needs its own letter"
            }
        }
        if let upload = try await GroupRosterUpload.query(on: app.db).filter(\.$application.$id == record.requireID())
            .filter(\.$letterNumber == letter.number).filter(\.$outcome == .nobodyToRegister).first() {
            return prefix + "this letter was used at \(DisplayTime.second(upload.uploadedAt)) by a file in which nobody was left to register; "
                + "every batch needs its own letter"
        }
        return prefix + "every batch needs its own letter"
    }

    /// Imports an approved `batch` and prints its counts, the summary's size and the seconds each step took.
    private func importAndReport(_ batch: GroupBatch, record: GroupApplicationRecord, importer: GroupBatchImporter, app: Application,
                                 started: ContinuousClock.Instant, staged: ContinuousClock.Instant) async throws {
        let clock = ContinuousClock()
        let result = try await importer.run(batchID: batch.requireID())
        guard result.ran else {
            // Another run took the lease between the check and now.
            let fresh = try await GroupBatch.find(batch.requireID(), on: app.db) ?? batch
            throw GroupCommandError(description: try await leaseHeld(fresh, until: fresh.importLeaseUntil ?? app.clock.now(), app: app))
        }
        let imported = clock.now
        let rows = try await GroupBatchView.summaryRows(batchID: batch.requireID(), on: app.db)
        let summary = try await app.threadPool.runIfActive {
            try BatchSummary.xlsx(rows: rows, title: "\(record.organizationName) \(batch.reference)")
        }
        let summarized = clock.now
        func seconds(_ duration: Duration) -> String {
            String(format: "%.3f", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
        }
        let json = """
            {"batch":\(jsonString(batch.reference)),"rows":\(batch.rowCount),"imported":\(result.imported),\
            "skipped":\(result.skipped),"leftOut":\(GroupBatchView.leftOutRows(batch).count),"completed":\(result.completed),\
            "summaryBytes":\(summary.count),"seconds":{"checkAndStage":\(seconds(staged - started)),\
            "import":\(seconds(imported - staged)),"summary":\(seconds(summarized - imported)),"total":\(seconds(summarized - started))}}
            """
        FileHandle.standardOutput.write(Data((json + "\n").utf8))
    }
}
