import Fluent
import Foundation
import OneCardDomain
import ReaderDataFile
import Vapor

struct GroupImportBatchCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "A reader data file: xlsx, ods or csv") var file: String
        @Option(name: "organization", help: "The organization's application reference (e.g. NLPI-G260522-4F7K2Q)") var organization: String?
        @Option(name: "letter-number", help: "This batch's official letter number") var letterNumber: String?
        @Option(name: "letter-date", help: "This batch's official letter date") var letterDate: String?
        @Option(name: "chunk-size", help: "Rows per transaction (default 500)") var chunkSize: Int?
    }

    var help: String { "Checks a reader data file, queues it as a batch of an approved organization, approves and imports it" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let now = app.clock.now()
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
            throw GroupCommandError(description: "cannot read \(signature.file)")
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
            var importer = GroupBatchImporter(database: app.db, clock: app.clock, localizer: app.localizer, settings: app.settings, vault: app.vault,
                                              logger: app.logger)
            if let size = signature.chunkSize {
                guard size > 0 else { throw GroupCommandError(description: "--chunk-size must be positive") }
                importer.chunkSize = size
            }
            try await importer.approve(batch, reviewerID: nil, actor: .system("cli"))
            let result = try await importer.run(batchID: batch.requireID())
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
}
