import Fluent
import Foundation
import OneCardDomain
import ReaderDataFile
import Vapor

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
        let now = app.clock.now()
        let service = GroupApplicationService(database: app.db, sealedFiles: app.sealedFiles, threadPool: app.threadPool,
                                              outbox: Outbox(localizer: app.localizer, settings: app.settings, vault: app.vault, now: now),
                                              baseURL: app.settings.baseURL, now: now)
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
