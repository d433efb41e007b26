import Fluent
import Foundation
import OneCardDomain
import ReaderDataFile
import Vapor

/// `onecard group …`: group applications (集體辦證) that reach the library on paper or by email, as the
/// seed's process still allows (公文 with attachments; the reader data file to the library's mailbox).
///
/// - `group register`: records an organization's application with its two files and approves it; the
///   contact gets the usual email with a sign-in link. Prints `{"reference":…,"status":"approved"}`.
/// - `group import-batch FILE`: checks a reader data file as the upload does, stages it as a batch of that
///   organization under its letter, approves it and imports it now. Prints one JSON object with the
///   counts and the seconds each step took; exit 1 when the file is returned (its errors are printed),
///   2 when it cannot be read.
struct GroupCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["register": GroupRegisterCommand(), "import-batch": GroupImportBatchCommand()] }
    var help: String { "Group applications (集體辦證) received on paper or by email" }
}

struct GroupCommandError: Error, CustomStringConvertible {
    let description: String
}

struct GroupRegisterCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "library", help: "The library applied to (default NLPI)") var library: String?
        @Option(name: "name", help: "The school or agency") var name: String?
        @Option(name: "kind", help: "school or agency") var kind: String?
        @Option(name: "contact-name", help: "The contact person") var contactName: String?
        @Option(name: "contact-title", help: "The contact person's title") var contactTitle: String?
        @Option(name: "contact-phone", help: "The contact person's phone") var contactPhone: String?
        @Option(name: "contact-email", help: "The contact person's email") var contactEmail: String?
        @Option(name: "letter-number", help: "The official letter's number (發文字號)") var letterNumber: String?
        @Option(name: "letter-date", help: "The official letter's date (YYYY-MM-DD or ROC 114/05/03)") var letterDate: String?
        @Option(name: "application-form", help: "The stamped application form: PDF, JPEG or PNG") var applicationForm: String?
        @Option(name: "consent-statement", help: "The signed consent statement: PDF, JPEG or PNG") var consentStatement: String?
    }

    var help: String { "Records an organization's paper application with its files, approved" }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        var input = GroupApplicationInput()
        input.organizationName = signature.name ?? ""
        input.organizationKind = signature.kind ?? ""
        input.contactName = signature.contactName ?? ""
        input.contactTitle = signature.contactTitle ?? ""
        input.contactPhone = signature.contactPhone ?? ""
        input.contactEmail = signature.contactEmail ?? ""
        input.letterNumber = signature.letterNumber ?? ""
        input.letterDate = signature.letterDate ?? ""
        input.acceptsObligations = true
        func file(_ path: String?) -> UploadedFile {
            UploadedFile(bytes: path.flatMap { FileManager.default.contents(atPath: $0) })
        }
        let service = GroupApplicationService(app: app, database: app.db, now: app.clock.now())
        let record: GroupApplicationRecord
        do {
            record = try await service.submit(input, libraryCode: signature.library ?? GroupApplicationService.defaultLibraryCode,
                                              applicationForm: file(signature.applicationForm), consentStatement: file(signature.consentStatement),
                                              locale: .zhTW, ipAddress: nil, rateLimited: false, operator: .system("cli"))
        } catch GroupApplicationError.invalid(let errors) {
            throw GroupCommandError(description: "refused: " + errors.map { "\($0.field) \($0.code)" }.joined(separator: ", "))
        }
        try await service.decide(record, approve: true, reason: "", reviewerID: nil, actor: .system("cli"))
        context.console.output("{\"reference\":\(jsonString(record.reference)),\"status\":\"approved\"}")
    }
}

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
        let today = CalendarDay(date: now, timeZone: OneCardClock.taipei)
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
            outcome = try await GroupRosterIntake(app: app, now: now).receive(bytes, letter: letter, for: record, locale: record.siteLocale,
                                                                             ipAddress: nil)
        } catch GroupApplicationError.invalid(let errors) {
            throw GroupCommandError(description: "refused: " + errors.map { "\($0.field) \($0.code)" }.joined(separator: ", "))
        }
        let file = URL(fileURLWithPath: signature.file).lastPathComponent
        switch outcome {
        case .unreadable(_, let error):
            FileHandle.standardOutput.write(Data((RosterCheck.json(file: file, error: error) + "\n").utf8))
            exit(2)
        case .returned(let upload, let leftOut):
            let errors = try upload.errors.map { try JSONDecoder().decode([RowError].self, from: Data($0.utf8)) } ?? []
            let report = ReaderDataFileReport(format: ReaderDataFileFormat(rawValue: upload.format ?? "") ?? .xlsx, sheetName: nil,
                                              headerRow: nil, columns: [:], rows: upload.rowCount, validRows: [], errors: errors)
            var json = RosterCheck.json(file: file, report: report)
            json.removeLast()
            json += ",\"leftOut\":\(leftOut.count),\"returned\":true}"
            FileHandle.standardOutput.write(Data((json + "\n").utf8))
            exit(1)
        case .accepted(let batch, _):
            let staged = clock.now
            var importer = GroupBatchImporter(app: app)
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

/// A JSON string literal.
func jsonString(_ text: String) -> String {
    (try? String(decoding: JSONEncoder.sorted.encode(text), as: UTF8.self)) ?? "\"\""
}
