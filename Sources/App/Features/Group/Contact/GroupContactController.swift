import Fluent
import OneCardDomain
import ReaderDataFile
import Vapor

/// The pages of an approved organization's contact person: sign-in by an emailed one-time link, the
/// organization's batches, the reader data file upload (returned with every error, or queued as a batch
/// under its own letter), the returned file annotated, each batch's progress and, once done, its summary.
struct GroupContactController: RouteCollection {
    /// A reader data file of at most 64 MiB (the checker's limit), and the fields.
    static let maximumUploadBytes = ReaderDataFileChecker.defaultMaximumFileBytes + 1024 * 1024
    static let errorsPerPage = 500

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.groupContact, use: requestForm)
        routes.post(.groupContact, use: requestLink)
        routes.get(.groupContactSignIn, use: signInPage)
        routes.post(.groupContactSignIn, use: signIn)
        routes.post(.groupContactSignOut, use: signOut)
        routes.get(.groupContactHome, use: home)
        routes.get(.groupContactNewBatch, use: newBatch)
        routes.postUpload(.groupContactNewBatch, maximumBytes: Self.maximumUploadBytes, use: upload)
        routes.get(.groupContactUpload(id: ""), use: uploadPage)
        routes.get(.groupContactUploadReturned(id: ""), use: returnedFile)
        routes.get(.groupContactBatch(id: ""), use: batchPage)
        routes.get(.groupContactBatchSummary(id: ""), use: summary)
    }

    // MARK: Signing in

    struct RequestPage: Encodable {
        var sent: Bool
        var form: FormState
        var expired: Bool
    }

    struct RequestForm: Content { var email: String? }

    private func access(_ req: Request) -> GroupContactAccess {
        GroupContactAccess(baseURL: req.application.settings.baseURL, now: req.now)
    }

    @Sendable
    func requestForm(req: Request) async throws -> Response {
        if try await req.groupContact() != nil { return req.redirect(to: SiteURL.groupContactHome.path) }
        let expired = req.query[String.self, at: "signed_out"] == "expired"
        return try await req.view.render("group/contact-request", RequestPage(sent: false, form: FormState(), expired: expired))
            .encodeResponse(for: req)
    }

    /// Emails a sign-in link to the contact of every approved organization with this address. The page
    /// answers the same whether or not there is one, so it cannot tell who is a contact.
    @Sendable
    func requestLink(req: Request) async throws -> Response {
        let email = GroupApplicationRules.normalizedEmail(try req.content.decode(RequestForm.self).email ?? "")
        guard EmailAddressRule.isValid(email) else {
            var state = FormState(values: ["email": email])
            state.errors["email"] = req.t(email.isEmpty ? "group.error.contact_email_required" : "group.error.contact_email_invalid")
            return try await req.view.render("group/contact-request", RequestPage(sent: false, form: state, expired: false))
                .encodeResponse(status: .unprocessableEntity, for: req)
        }
        try await access(req).emailLinks(to: email, ipAddress: req.clientAddress, outbox: req.outbox, on: req.db)
        return try await req.view.render("group/contact-request", RequestPage(sent: true, form: FormState(), expired: false))
            .encodeResponse(for: req)
    }

    struct SignInPage: Encodable {
        let token: String
        let organization: String
    }

    /// Shows a button rather than signing in on GET: mail scanners that open links must not use up the link.
    @Sendable
    func signInPage(req: Request) async throws -> View {
        let token = req.query[String.self, at: "token"] ?? ""
        let record = try await access(req).validToken(token, on: req.db)
        return try await req.view.render("group/contact-sign-in", SignInPage(token: token, organization: record.application.organizationName))
    }

    struct SignInForm: Content { var token: String? }

    @Sendable
    func signIn(req: Request) async throws -> Response {
        let token = try req.content.decode(SignInForm.self).token ?? ""
        let redeemed = try await access(req).redeem(token, ipAddress: req.clientAddress, on: req.db)
        try await req.startGroupContactSession(redeemed.application)
        let next = redeemed.nextPath.flatMap { $0.hasPrefix(SiteURL.groupContact.path + "/") ? $0 : nil } ?? SiteURL.groupContactHome.path
        return req.redirect(to: next, redirectType: .normal)
    }

    @Sendable
    func signOut(req: Request) async throws -> Response {
        req.session.destroy()
        return req.redirect(to: SiteURL.service(.groupApplication).path, redirectType: .normal)
    }

    /// The signed-in contact's organization, or a redirect to the page that sends a new link.
    private func contact(_ req: Request) async throws -> GroupApplicationRecord? {
        try await req.groupContact()
    }

    private var signInRedirect: String { SiteURL.groupContact.path + "?signed_out=expired" }

    // MARK: Home

    struct HomePage: Encodable {
        let organization: String
        let reference: String
        let library: String
        let contactName: String
        let contactEmail: String
        let batches: [GroupBatchView.Summary]
        let lastReturned: String?
    }

    @Sendable
    func home(req: Request) async throws -> Response {
        guard let record = try await contact(req) else { return req.redirect(to: signInRedirect) }
        let batches = try await GroupBatch.query(on: req.db).filter(\.$application.$id == record.requireID())
            .sort(\.$receivedAt, .descending).all()
        let today = CalendarDay(date: req.now, timeZone: OneCardClock.taipei)
        let lastReturned = try await GroupRosterUpload.query(on: req.db).filter(\.$application.$id == record.requireID())
            .filter(\.$hasAnnotatedFile == true).sort(\.$uploadedAt, .descending).first()
        let page = HomePage(
            organization: record.organizationName, reference: record.reference,
            library: req.locale == .en ? record.library.nameEN : record.library.nameZH,
            contactName: record.contactName, contactEmail: record.contactEmail,
            batches: batches.map { GroupBatchView.summary($0, today: today, contactView: true) },
            lastReturned: lastReturned.map { SiteURL.groupContactUpload(id: $0.id!.uuidString).path })
        return try await req.view.render("group/contact-home", page).encodeResponse(for: req)
    }

    // MARK: Uploading a reader data file

    struct UploadFormPage: Encodable {
        var organization: String
        var values: [String: String]
        var errors: [String: String]
        var errorList: [CardApplicationController.ErrorItem]
    }

    private func renderUploadForm(_ req: Request, _ record: GroupApplicationRecord, values: [String: String] = [:],
                                  messages: [String: String] = [:], status: HTTPStatus = .ok) async throws -> Response {
        let list = ["letterNumber", "letterDate", "file"].compactMap { field in
            messages[field].map { CardApplicationController.ErrorItem(anchor: "#\(field)", message: $0) }
        }
        let page = UploadFormPage(organization: record.organizationName, values: values, errors: messages, errorList: list)
        return try await req.view.render("group/batch-new", page).encodeResponse(status: status, for: req)
    }

    @Sendable
    func newBatch(req: Request) async throws -> Response {
        guard let record = try await contact(req) else { return req.redirect(to: signInRedirect) }
        return try await renderUploadForm(req, record)
    }

    struct UploadForm: Content {
        var letterNumber: String?
        var letterDate: String?
        var file: File?
    }

    @Sendable
    func upload(req: Request) async throws -> Response {
        guard let record = try await contact(req) else { return req.redirect(to: signInRedirect) }
        let form = try req.content.decode(UploadForm.self)
        let values = ["letterNumber": form.letterNumber ?? "", "letterDate": form.letterDate ?? ""]
        let today = CalendarDay(date: req.now, timeZone: OneCardClock.taipei)
        var errors: [FieldError] = []
        var letter: OfficialLetter?
        switch OfficialLetter.validate(number: form.letterNumber ?? "", date: form.letterDate ?? "", today: today) {
        case .success(let valid): letter = valid
        case .failure(let failure): errors = failure.errors
        }
        let bytes = form.file.map { Data(buffer: $0.data) } ?? Data()
        if bytes.isEmpty { errors.append(FieldError(field: "file", code: "roster_file_required")) }
        guard errors.isEmpty, let letter else {
            return try await renderUploadForm(req, record, values: values, messages: GroupMessages.fieldMessages(errors, req),
                                              status: .unprocessableEntity)
        }
        let now = req.now
        let intake = GroupRosterIntake(database: req.db, vault: req.application.vault, sealedFiles: req.application.sealedFiles,
                                       threadPool: req.application.threadPool,
                                       outbox: Outbox(localizer: req.application.localizer, settings: req.application.settings, vault: req.application.vault, now: now),
                                       now: now)
        do {
            switch try await intake.receive(bytes, letter: letter, for: record, locale: req.locale, ipAddress: req.clientAddress) {
            case .returned(let upload, _):
                return req.redirect(to: SiteURL.groupContactUpload(id: upload.id!.uuidString).path, redirectType: .normal)
            case .accepted(let batch, _):
                return req.redirect(to: SiteURL.groupContactBatch(id: batch.id!.uuidString).path + "?received=1", redirectType: .normal)
            case .unreadable(_, let error):
                let problem = req.locale == .en ? req.t("group.file_error.\(error.code)") : error.message
                let message = req.t("group.error.roster_unreadable", ["problem": problem])
                return try await renderUploadForm(req, record, values: values, messages: ["file": message], status: .unprocessableEntity)
            }
        } catch GroupApplicationError.invalid(let errors) {
            return try await renderUploadForm(req, record, values: values, messages: GroupMessages.fieldMessages(errors, req),
                                              status: .unprocessableEntity)
        }
    }

    // MARK: A returned file

    struct UploadPage: Encodable {
        struct ErrorRow: Encodable {
            let row: Int
            let column: String
            let message: String
        }

        let organization: String
        let uploadedAt: String
        let letterNumber: String
        let rows: Int
        let errorCount: Int
        let errors: [ErrorRow]
        let pages: [Pagination.Link]
        let firstShown: Int
        let lastShown: Int
        let leftOut: [GroupBatchView.LeftOut]
        let annotatedPath: String?
        let nobodyLeft: Bool
    }

    private func ownUpload(_ req: Request, _ record: GroupApplicationRecord) async throws -> GroupRosterUpload {
        guard let id = req.parameters.get("id", as: UUID.self),
              let upload = try await GroupRosterUpload.query(on: req.db).filter(\.$id == id)
                .filter(\.$application.$id == record.requireID()).filter(\.$outcome == .returned).first()
        else { throw OneCardError.notFound }
        return upload
    }

    @Sendable
    func uploadPage(req: Request) async throws -> Response {
        guard let record = try await contact(req) else { return req.redirect(to: signInRedirect) }
        let upload = try await ownUpload(req, record)
        let errors = try upload.errors.map { try JSONDecoder().decode([RowError].self, from: Data($0.utf8)) } ?? []
        let pagination = Pagination(total: errors.count, pageSize: Self.errorsPerPage, requested: req.query[Int.self, at: "page"])
        let shown = errors.dropFirst(pagination.offset).prefix(Self.errorsPerPage)
        let path = SiteURL.groupContactUpload(id: upload.id!.uuidString).path
        let view = UploadPage(
            organization: record.organizationName, uploadedAt: DeskController.dateTime(upload.uploadedAt),
            letterNumber: upload.letterNumber, rows: upload.rowCount, errorCount: errors.count,
            errors: shown.map { .init(row: $0.row, column: $0.column, message: GroupMessages.rowErrorMessage($0, req)) },
            pages: pagination.links(path: path),
            firstShown: errors.isEmpty ? 0 : pagination.offset + 1,
            lastShown: pagination.offset + shown.count,
            leftOut: GroupBatchView.leftOut(upload.leftOut, req: req),
            annotatedPath: upload.hasAnnotatedFile ? SiteURL.groupContactUploadReturned(id: upload.id!.uuidString).path : nil,
            nobodyLeft: errors.isEmpty)
        return try await req.view.render("group/upload", view).encodeResponse(for: req)
    }

    @Sendable
    func returnedFile(req: Request) async throws -> Response {
        guard let record = try await contact(req) else { return req.redirect(to: signInRedirect) }
        let upload = try await ownUpload(req, record)
        guard upload.hasAnnotatedFile else { throw OneCardError.notFound }
        let store = req.application.sealedFiles
        let id = upload.id!, context = upload.sealContext
        let bytes = try await req.application.threadPool.runIfActive { try store.load(id: id, context: context) }
        try await AuditTrail.record("group_roster.returned_downloaded", by: AuditActor(type: "group_contact", id: record.id?.uuidString,
                                                                                       ipAddress: req.clientAddress),
                                    subject: ("group_roster_upload", id.uuidString), libraryID: record.$library.id, at: req.now, on: req.db)
        return GroupMessages.download(bytes, type: .xlsx, name: req.t("group.upload.returned_file_name") + ".xlsx")
    }

    // MARK: A batch

    struct BatchPage: Encodable {
        let organization: String
        let batch: GroupBatchView.Summary
        let leftOut: [GroupBatchView.LeftOut]
        let received: Bool
        let summaryPath: String?
    }

    private func ownBatch(_ req: Request, _ record: GroupApplicationRecord) async throws -> GroupBatch {
        guard let id = req.parameters.get("id", as: UUID.self),
              let batch = try await GroupBatch.query(on: req.db).filter(\.$id == id).filter(\.$application.$id == record.requireID()).first()
        else { throw OneCardError.notFound }
        return batch
    }

    @Sendable
    func batchPage(req: Request) async throws -> Response {
        guard let record = try await contact(req) else { return req.redirect(to: signInRedirect) }
        let batch = try await ownBatch(req, record)
        let today = CalendarDay(date: req.now, timeZone: OneCardClock.taipei)
        var summary = GroupBatchView.summary(batch, today: today, contactView: true)
        summary.queuePosition = try await GroupBatchView.queuePosition(batch, libraryID: record.$library.id, on: req.db)
        let page = BatchPage(
            organization: record.organizationName, batch: summary,
            leftOut: GroupBatchView.leftOut(batch.leftOut, req: req),
            received: req.query[String.self, at: "received"] != nil,
            summaryPath: batch.status == .completed ? SiteURL.groupContactBatchSummary(id: batch.id!.uuidString).path : nil)
        return try await req.view.render("group/batch", page).encodeResponse(for: req)
    }

    @Sendable
    func summary(req: Request) async throws -> Response {
        guard let record = try await contact(req) else { return req.redirect(to: signInRedirect) }
        let batch = try await ownBatch(req, record)
        guard batch.status == .completed else { throw OneCardError.notFound }
        let bytes = try await GroupBatchView.summaryXLSX(batch, record: record, req: req)
        try await AuditTrail.record("group_batch.summary_downloaded", by: AuditActor(type: "group_contact", id: record.id?.uuidString,
                                                                                     ipAddress: req.clientAddress),
                                    subject: ("group_batch", batch.id!.uuidString), libraryID: record.$library.id, at: req.now, on: req.db)
        return GroupMessages.download(bytes, type: .xlsx, name: "\(req.t("group.summary.file_name"))-\(batch.reference).xlsx")
    }
}
