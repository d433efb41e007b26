import Fluent
import OneCardDomain
import ReaderDataFile
import Vapor

/// 集體辦證, the organization's side before approval: the seed's page (特色, 服務簡介, 申請流程, 注意事項,
/// 基本義務), the application form with its two files, the confirmation, and the reader data file
/// template (xlsx and ods), which anyone may download.
struct GroupApplicationController: RouteCollection {
    static let doneSessionKey = "group_application_done"

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.service(.groupApplication), use: info)
        routes.get(.groupApplicationForm, use: form)
        routes.post(.groupApplicationForm, maximumBytes: .groupDocuments, use: submit)
        routes.get(.groupApplicationDone, use: done)
        for format in SiteURL.TemplateFormat.allCases {
            routes.get(.groupTemplate(format)) { req in try await Self.template(format, req: req) }
        }
    }

    /// The localization keys `prefix.1`, `prefix.2`, … that exist, in order.
    static func points(_ prefix: String, _ req: Request) -> [String] {
        // Looked up one by one: building the set of every key, seven times a page, was most of 團體辦證's time (#13 item 1).
        let localizer = req.application.localizer, locale = req.locale
        return (1...20).map { "\(prefix).\($0)" }.filter { localizer.has($0, in: locale) }
    }

    struct InfoPage: Encodable {
        let features: [String]
        let about: [String]
        let steps: [String]
        let notes: [String]
        let obligations: [String]
        let holderObligations: [String]
        let others: [String]
    }

    @Sendable
    func info(req: Request) async throws -> View {
        try await req.view.render("group/info", InfoPage(
            features: Self.points("group.info.feature", req), about: Self.points("group.info.about", req),
            steps: Self.points("group.info.step", req), notes: Self.points("group.info.note", req),
            obligations: Self.points("group.info.obligation", req), holderObligations: Self.points("group.info.holder_obligation", req),
            others: Self.points("group.info.other", req)))
    }

    struct FormPage: Encodable {
        struct LibraryOption: Encodable {
            let code: String
            let name: String
            let selected: Bool
        }

        var values: [String: String]
        var errors: [String: String]
        var errorList: [CardApplicationController.ErrorItem]
        var libraries: [LibraryOption]
        var obligations: [String]
        var filesToChooseAgain: Bool
    }

    static let fieldOrder = ["library", "organizationName", "organizationKind", "contactName", "contactTitle", "contactPhone",
                             "contactEmail", "letterNumber", "letterDate", "applicationForm", "consentStatement", "acceptsObligations"]

    private func render(_ req: Request, values: [String: String] = [:], errors: [FieldError] = [],
                        status: HTTPStatus = .ok) async throws -> Response {
        let messages = GroupMessages.fieldMessages(errors, req)
        let list = Self.fieldOrder.compactMap { field in
            messages[field].map { CardApplicationController.ErrorItem(anchor: "#\(field)", message: $0) }
        }
        let chosen = values["library"] ?? GroupApplicationService.defaultLibraryCode
        let libraries = try await GroupApplicationService.acceptingLibraries(on: req.db).map {
            FormPage.LibraryOption(code: $0.code, name: $0.name(in: req.locale), selected: $0.code == chosen)
        }
        let page = FormPage(values: values, errors: messages, errorList: list, libraries: libraries,
                            obligations: Self.points("group.info.obligation", req), filesToChooseAgain: !errors.isEmpty)
        return try await req.view.render("group/form", page).encodeResponse(status: status, for: req)
    }

    @Sendable
    func form(req: Request) async throws -> Response {
        try await render(req)
    }

    struct ApplicationForm: Content {
        var library: String?
        var organizationName: String?
        var organizationKind: String?
        var contactName: String?
        var contactTitle: String?
        var contactPhone: String?
        var contactEmail: String?
        var letterNumber: String?
        var letterDate: String?
        var acceptsObligations: String?
        var applicationForm: File?
        var consentStatement: File?

        var input: GroupApplicationInput {
            var input = GroupApplicationInput()
            input.organizationName = organizationName ?? ""
            input.organizationKind = organizationKind ?? ""
            input.contactName = contactName ?? ""
            input.contactTitle = contactTitle ?? ""
            input.contactPhone = contactPhone ?? ""
            input.contactEmail = contactEmail ?? ""
            input.letterNumber = letterNumber ?? ""
            input.letterDate = letterDate ?? ""
            input.acceptsObligations = acceptsObligations == "yes"
            return input
        }

        /// What the form shows again after an error (files cannot be kept: the browser needs them chosen again).
        var keptValues: [String: String] {
            var values: [String: String] = [:]
            values["library"] = library
            values["organizationName"] = organizationName
            values["organizationKind"] = organizationKind
            values["contactName"] = contactName
            values["contactTitle"] = contactTitle
            values["contactPhone"] = contactPhone
            values["contactEmail"] = contactEmail
            values["letterNumber"] = letterNumber
            values["letterDate"] = letterDate
            values["acceptsObligations"] = acceptsObligations
            return values
        }
    }

    @Sendable
    func submit(req: Request) async throws -> Response {
        let form = try req.content.decode(ApplicationForm.self)
        let service = Self.service(req)
        do {
            let record = try await service.submit(
                form.input, libraryCode: form.library ?? GroupApplicationService.defaultLibraryCode,
                applicationForm: UploadedFile(bytes: form.applicationForm.map { Data(buffer: $0.data) }),
                consentStatement: UploadedFile(bytes: form.consentStatement.map { Data(buffer: $0.data) }),
                locale: req.locale, ipAddress: req.clientAddress)
            req.session.data[Self.doneSessionKey] = record.reference
            return req.redirect(to: SiteURL.groupApplicationDone.path, redirectType: .normal)
        } catch GroupApplicationError.invalid(let errors) {
            return try await render(req, values: form.keptValues, errors: errors, status: .unprocessableEntity)
        }
    }

    /// The service with what it uses, taken from the request's application at the request's time.
    static func service(_ req: Request) -> GroupApplicationService {
        let now = req.now
        return GroupApplicationService(database: req.db, sealedFiles: req.application.sealedFiles, threadPool: req.application.threadPool,
                                       outbox: Outbox(localizer: req.application.localizer, settings: req.application.settings, vault: req.application.vault, now: now),
                                       baseURL: req.application.settings.baseURL, now: now)
    }

    struct DonePage: Encodable {
        let reference: String
    }

    @Sendable
    func done(req: Request) async throws -> Response {
        guard req.hasSession, let reference = req.session.data[Self.doneSessionKey] else {
            return req.redirect(to: SiteURL.service(.groupApplication).path)
        }
        return try await req.view.render("group/submitted", DonePage(reference: reference)).encodeResponse(for: req)
    }

    static func template(_ format: SiteURL.TemplateFormat, req: Request) async throws -> Response {
        let locale = req.locale.readerDataFileLocale
        let bytes = try await req.application.threadPool.runIfActive {
            switch format {
            case .xlsx: try ReaderDataFileTemplate.xlsx(locale: locale)
            case .ods: try ReaderDataFileTemplate.ods(locale: locale)
            }
        }
        let name = req.t("group.template.file_name")
        switch format {
        case .xlsx: return GroupMessages.download(bytes, type: .xlsx, name: "\(name).xlsx")
        case .ods: return GroupMessages.download(bytes, type: .ods, name: "\(name).ods")
        }
    }
}
