import Fluent
import OneCardDomain
import ReaderDataFile
import Vapor

/// The pages of an approved organization's contact person: sign-in by an emailed one-time link, the
/// organization's batches, the reader data file upload (returned with every error, or queued as a batch
/// under its own letter), the returned file annotated, each batch's progress and, once done, its summary.
struct GroupContactController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.groupContact, use: requestForm)
        routes.post(.groupContact, maximumBytes: .form, use: requestLink)
        routes.get(.groupContactSignIn, use: signInPage)
        routes.post(.groupContactSignIn, maximumBytes: .form, use: signIn)
        routes.post(.groupContactSignOut, maximumBytes: .form, use: signOut)
        routes.get(.groupContactHome, use: home)
        routes.get(.groupContactNewBatch, use: newBatch)
        // A reader data file (up to 64 MiB) is received only from a signed-in contact.
        routes.post(.groupContactNewBatch, maximumBytes: .readerDataFile,
                    beforeReading: BodyGate { req in try await contact(req) != nil }, use: upload)
        routes.get(.groupContactUpload(id: .key), use: uploadPage)
        routes.get(.groupContactUploadReturned(id: .key), use: returnedFile)
        routes.get(.groupContactBatch(id: .key), use: batchPage)
        routes.get(.groupContactBatchSummary(id: .key), use: summary)
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
        do {
            try await access(req).requestLinks(to: email, locale: req.locale, ipAddress: req.clientAddress, vault: req.application.vault,
                                               on: req.db)
        } catch let error as AddressLimitError {
            var state = FormState(values: ["email": email])
            state.errors["email"] = req.t(error.messageKey, error.messageValues)
            return try await req.view.render("group/contact-request", RequestPage(sent: false, form: state, expired: false))
                .encodeResponse(status: HTTPErrorMapping.status(for: error), headers: HTTPErrorMapping.headers(for: error), for: req)
        }
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

    @Sendable
    func home(req: Request) async throws -> Response {
        guard let record = try await contact(req) else { return req.redirect(to: signInRedirect) }
        let page = try await GroupContactHomePage.Model.query(record, locale: req.locale, at: req.now, on: req.db)
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
        let bytes = form.file.map { Data(buffer: $0.data) } ?? Data()
        do {
            switch try await intake(req).receive(bytes, letterNumber: form.letterNumber ?? "", letterDate: form.letterDate ?? "",
                                                 for: record, locale: req.locale, ipAddress: req.clientAddress) {
            case .returned(let upload), .nobodyToRegister(let upload, _):
                return req.redirect(to: SiteURL.groupContactUpload(id: .value(upload.id!)).path, redirectType: .normal)
            case .accepted(let batch, _):
                return req.redirect(to: SiteURL.groupContactBatch(id: .value(batch.id!)).path + "?received=1", redirectType: .normal)
            case .unreadable(_, let error):
                let problem = req.application.localizer.text(error, req.locale)
                let message = req.t("group.error.roster_unreadable", ["problem": problem])
                return try await renderUploadForm(req, record, values: values, messages: ["file": message], status: .unprocessableEntity)
            }
        } catch GroupApplicationError.invalid(let errors) {
            return try await renderUploadForm(req, record, values: values, messages: GroupMessages.fieldMessages(errors, req),
                                              status: .unprocessableEntity)
        } catch let error as GroupApplicationError {
            guard case .uploadLimitReached(let retryAt) = error else { throw error }
            let message = req.t(error.messageKey, ["time": DisplayTime.minute(retryAt, in: req.locale)])
            let response = try await renderUploadForm(req, record, values: values, messages: ["file": message],
                                                      status: HTTPErrorMapping.status(for: error))
            for (name, value) in HTTPErrorMapping.headers(for: error) { response.headers.replaceOrAdd(name: name, value: value) }
            return response
        }
    }

    private func intake(_ req: Request) -> GroupRosterIntake {
        let now = req.now
        return GroupRosterIntake(database: req.db, vault: req.application.vault, sealedFiles: req.application.sealedFiles,
                                 threadPool: req.application.threadPool,
                                 outbox: Outbox(localizer: req.application.localizer, settings: req.application.settings,
                                                vault: req.application.vault, now: now),
                                 now: now)
    }

    // MARK: A returned file

    /// The upload or batch named in the path; one that is no UUID is not found either.
    private func id(_ req: Request) throws -> UUID {
        guard let id = req.parameters.get("id", as: UUID.self) else { throw OneCardError.notFound }
        return id
    }

    @Sendable
    func uploadPage(req: Request) async throws -> Response {
        guard let record = try await contact(req) else { return req.redirect(to: signInRedirect) }
        let page = try await GroupContactUploadPage.Model.query(upload: id(req), of: record, page: req.query[Int.self, at: "page"],
                                                                locale: req.locale, localizer: req.application.localizer, on: req.db)
        return try await req.view.render("group/upload", page).encodeResponse(for: req)
    }

    @Sendable
    func returnedFile(req: Request) async throws -> Response {
        guard let record = try await contact(req) else { return req.redirect(to: signInRedirect) }
        let reader = GroupReturnedFileReader(database: req.db, sealedFiles: req.application.sealedFiles, now: req.now)
        let bytes = try await reader.open(id(req), for: record, ipAddress: req.clientAddress)
        return GroupMessages.download(bytes, type: .xlsx, name: req.t("group.upload.returned_file_name") + ".xlsx")
    }

    // MARK: A batch

    @Sendable
    func batchPage(req: Request) async throws -> Response {
        guard let record = try await contact(req) else { return req.redirect(to: signInRedirect) }
        let page = try await GroupContactBatchPage.Model.query(
            batch: id(req), of: record, received: req.query[String.self, at: "received"] != nil, locale: req.locale,
            localizer: req.application.localizer, at: req.now, on: req.db)
        return try await req.view.render("group/batch", page).encodeResponse(for: req)
    }

    /// Who got which card, once the batch is completed; the download is audited.
    @Sendable
    func summary(req: Request) async throws -> Response {
        guard let record = try await contact(req) else { return req.redirect(to: signInRedirect) }
        let batch = try await record.batch(id(req), on: req.db)
        let export = GroupBatchSummaryExport(database: req.db, threadPool: req.application.threadPool, localizer: req.application.localizer,
                                             now: req.now)
        let bytes = try await export.forContact(batch, of: record, locale: req.locale, ipAddress: req.clientAddress)
        return GroupMessages.download(bytes, type: .xlsx, name: "\(req.t("group.summary.file_name"))-\(batch.reference).xlsx")
    }
}
