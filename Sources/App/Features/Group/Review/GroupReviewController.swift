import Fluent
import OneCardDomain
import Vapor

/// The reviewers' side of 集體辦證, for the staff of the library applied to (roles reviewer and admin):
/// the queue (applications and batches by due date, overdue marked), an application with its files
/// (every look audited), approval or rejection, changes of the contact person, and batches.
struct GroupReviewController: RouteCollection {
    static let roles: Set<StaffMember.Role> = [.reviewer, .admin]
    static let rowsPerPage = 100

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staffGroup, use: queue)
        routes.get(.staffGroupApplication(id: .key), use: application)
        routes.post(.staffGroupApplicationDecision(id: .key), maximumBytes: .form, use: decideApplication)
        routes.post(.staffGroupApplicationContact(id: .key), maximumBytes: .form, use: changeContact)
        routes.get(.staffGroupDocument(id: .key), use: document)
        routes.get(.staffGroupBatch(id: .key), use: batch)
        routes.post(.staffGroupBatchDecision(id: .key), maximumBytes: .form, use: decideBatch)
        routes.get(.staffGroupBatchSummary(id: .key), use: summary)
    }

    // MARK: Queue

    @Sendable
    func queue(req: Request) async throws -> View {
        let staff = try await req.requireStaff(Self.roles)
        let page = try await GroupQueuePage.Model.query(
            libraryID: staff.$library.id, libraryName: staff.library.name(in: req.locale),
            today: CalendarDay(date: req.now, timeZone: .taipei), on: req.db)
        return try await req.view.render("staff/group-queue", page)
    }

    // MARK: An application

    private func ownApplication(_ req: Request, _ staff: StaffMember) async throws -> GroupApplicationRecord {
        guard let id = req.parameters.get("id", as: UUID.self),
              let record = try await GroupApplicationRecord.query(on: req.db).filter(\.$id == id)
                .filter(\.$library.$id == staff.$library.id).with(\.$library).first()
        else { throw OneCardError.notFound }
        return record
    }

    private func renderApplication(_ req: Request, _ staff: StaffMember, _ record: GroupApplicationRecord,
                                   decisionErrors: [FieldError] = [], contactForm: FormState = FormState(),
                                   status: HTTPStatus = .ok) async throws -> Response {
        var page = try await GroupApplicationPage.Model.query(record, by: staff, ipAddress: req.clientAddress, at: req.now, on: req.db)
        page.decisionErrors = GroupMessages.fieldMessages(decisionErrors, req)
        page.contactForm = contactForm
        page.notice = req.query[String.self, at: "notice"].flatMap { ["decided", "contact_changed"].contains($0) ? req.t("group.review.notice.\($0)") : nil }
        return try await req.view.render("staff/group-application", page).encodeResponse(status: status, for: req)
    }

    @Sendable
    func application(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        return try await renderApplication(req, staff, try await ownApplication(req, staff))
    }

    struct Decision: Content {
        var decision: String?
        var reason: String?
    }

    @Sendable
    func decideApplication(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let record = try await ownApplication(req, staff)
        let form = try req.content.decode(Decision.self)
        guard let decision = form.decision, ["approve", "reject"].contains(decision) else { throw Abort(.badRequest) }
        do {
            try await GroupApplicationController.service(req)
                .decide(record, approve: decision == "approve", reason: form.reason ?? "", by: staff, ipAddress: req.clientAddress)
        } catch GroupApplicationError.invalid(let errors) {
            return try await renderApplication(req, staff, record, decisionErrors: errors, status: .unprocessableEntity)
        }
        return req.redirect(to: SiteURL.staffGroupApplication(id: .value(record.id!)).path + "?notice=decided", redirectType: .normal)
    }

    struct ContactForm: Content {
        var contactName: String?
        var contactTitle: String?
        var contactPhone: String?
        var contactEmail: String?
        var note: String?
    }

    @Sendable
    func changeContact(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let record = try await ownApplication(req, staff)
        let form = try req.content.decode(ContactForm.self)
        do {
            try await GroupApplicationController.service(req).changeContact(
                record, name: form.contactName ?? "", title: form.contactTitle ?? "", phone: form.contactPhone ?? "",
                email: form.contactEmail ?? "", note: form.note ?? "", by: staff, ipAddress: req.clientAddress)
        } catch GroupApplicationError.invalid(let errors) {
            var state = FormState(values: ["contactName": form.contactName ?? "", "contactTitle": form.contactTitle ?? "",
                                            "contactPhone": form.contactPhone ?? "", "contactEmail": form.contactEmail ?? "",
                                            "note": form.note ?? ""])
            state.errors = GroupMessages.fieldMessages(errors, req)
            return try await renderApplication(req, staff, record, contactForm: state, status: .unprocessableEntity)
        }
        return req.redirect(to: SiteURL.staffGroupApplication(id: .value(record.id!)).path + "?notice=contact_changed", redirectType: .normal)
    }

    /// An application's file, for the reviewer to read: decrypted, served as a download, and audited.
    @Sendable
    func document(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        guard let id = req.parameters.get("id", as: UUID.self) else { throw OneCardError.notFound }
        let reader = GroupDocumentReader(database: req.db, sealedFiles: req.application.sealedFiles, now: req.now)
        let (document, bytes) = try await reader.open(id, by: staff, ipAddress: req.clientAddress)
        let parts = document.mediaType.split(separator: "/")
        let name = "\(document.application.reference)-\(document.kind.rawValue).\(document.fileExtension)"
        return GroupMessages.download(bytes, mediaType: HTTPMediaType(type: String(parts.first ?? "application"),
                                                                      subType: String(parts.last ?? "octet-stream")), name: name)
    }

    // MARK: A batch

    private func ownBatch(_ req: Request, _ staff: StaffMember) async throws -> GroupBatch {
        guard let id = req.parameters.get("id", as: UUID.self),
              let batch = try await GroupBatch.query(on: req.db).filter(\.$id == id).with(\.$application).first(),
              batch.application.$library.id == staff.$library.id
        else { throw OneCardError.notFound }
        return batch
    }

    private func renderBatch(_ req: Request, _ staff: StaffMember, _ batch: GroupBatch, decisionErrors: [FieldError] = [],
                             status: HTTPStatus = .ok) async throws -> Response {
        var page = try await GroupBatchPage.Model.query(batch, by: staff, page: req.query[Int.self, at: "page"], vault: req.application.vault,
                                                        locale: req.locale, localizer: req.application.localizer,
                                                        ipAddress: req.clientAddress, at: req.now, on: req.db)
        page.decisionErrors = GroupMessages.fieldMessages(decisionErrors, req)
        page.notice = req.query[String.self, at: "notice"].flatMap { ["approved", "rejected"].contains($0) ? req.t("group.review.notice.batch_\($0)") : nil }
        return try await req.view.render("staff/group-batch", page).encodeResponse(status: status, for: req)
    }

    @Sendable
    func batch(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        return try await renderBatch(req, staff, try await ownBatch(req, staff))
    }

    @Sendable
    func decideBatch(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let batch = try await ownBatch(req, staff)
        let form = try req.content.decode(Decision.self)
        guard let decision = form.decision, ["approve", "reject"].contains(decision) else { throw Abort(.badRequest) }
        let app = req.application
        // The application's database, not the request's: the import may go on in the background after the response.
        let importer = GroupBatchImporter(database: app.db, clock: app.clock, localizer: app.localizer, settings: app.settings, vault: app.vault,
                                          logger: app.logger)
        do {
            if decision == "approve" {
                try await importer.approveAndImport(batch, by: staff, ipAddress: req.clientAddress)
            } else {
                try await importer.reject(batch, reason: form.reason ?? "", by: staff, ipAddress: req.clientAddress)
            }
        } catch GroupApplicationError.invalid(let errors) {
            return try await renderBatch(req, staff, batch, decisionErrors: errors, status: .unprocessableEntity)
        }
        let notice = decision == "approve" ? "approved" : "rejected"
        return req.redirect(to: SiteURL.staffGroupBatch(id: .value(batch.id!)).path + "?notice=\(notice)", redirectType: .normal)
    }

    /// Who got which card, once the batch is completed; the download is audited.
    @Sendable
    func summary(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let batch = try await ownBatch(req, staff)
        let export = GroupBatchSummaryExport(database: req.db, threadPool: req.application.threadPool, localizer: req.application.localizer,
                                             now: req.now)
        let bytes = try await export.forReviewer(batch, of: batch.application, by: staff, locale: req.locale, ipAddress: req.clientAddress)
        return GroupMessages.download(bytes, type: .xlsx, name: "\(req.t("group.summary.file_name"))-\(batch.reference).xlsx")
    }
}
