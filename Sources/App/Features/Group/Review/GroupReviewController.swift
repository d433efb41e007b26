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
        routes.post(.staffGroupApplicationDecision(id: .key), use: decideApplication)
        routes.post(.staffGroupApplicationContact(id: .key), use: changeContact)
        routes.get(.staffGroupDocument(id: .key), use: document)
        routes.get(.staffGroupBatch(id: .key), use: batch)
        routes.post(.staffGroupBatchDecision(id: .key), use: decideBatch)
        routes.get(.staffGroupBatchSummary(id: .key), use: summary)
    }

    // MARK: Queue

    struct QueuePage: Encodable {
        struct Application: Encodable {
            let reference: String
            let organization: String
            let kindKey: String
            let submitted: String
            let due: String
            let overdue: Bool
            let statusKey: String
            let path: String
        }

        struct Batch: Encodable {
            let organization: String
            let batch: GroupBatchView.Summary
        }

        let library: String
        let applications: [Application]
        let queued: [Batch]
        let importing: [Batch]
        let recent: [Batch]
        let organizations: [Application]
        let today: String
    }

    @Sendable
    func queue(req: Request) async throws -> View {
        let staff = try await req.requireStaff(Self.roles)
        let libraryID = staff.$library.id
        let today = CalendarDay(date: req.now, timeZone: .taipei)
        func applicationRow(_ record: GroupApplicationRecord) -> QueuePage.Application {
            let due = CalendarDay(iso: record.dueOn) ?? today
            return .init(reference: record.reference, organization: record.organizationName,
                         kindKey: "group.kind.\(record.organizationKind.rawValue)", submitted: DeskController.dateTime(record.submittedAt),
                         due: record.dueOn, overdue: record.status == .submitted && GroupBatchSchedule.isOverdue(due: due, today: today),
                         statusKey: "group.application.status.\(record.status.rawValue)",
                         path: SiteURL.staffGroupApplication(id: .value(record.id!)).path)
        }
        let waiting = try await GroupApplicationRecord.query(on: req.db).filter(\.$library.$id == libraryID)
            .filter(\.$status == .submitted).sort(\.$dueOn).sort(\.$submittedAt).all()
        let approved = try await GroupApplicationRecord.query(on: req.db).filter(\.$library.$id == libraryID)
            .filter(\.$status == .approved).sort(\.$organizationName).limit(200).all()
        func batches(_ statuses: [GroupBatchStatus], recentFirst: Bool, limit: Int) async throws -> [QueuePage.Batch] {
            var query = GroupBatch.query(on: req.db)
                .join(GroupApplicationRecord.self, on: \GroupBatch.$application.$id == \GroupApplicationRecord.$id)
                .filter(GroupApplicationRecord.self, \.$library.$id == libraryID)
                .filter(\.$status ~~ statuses).with(\.$application)
            query = recentFirst ? query.sort(\.$receivedAt, .descending) : query.sort(\.$dueOn).sort(\.$receivedAt)
            return try await query.limit(limit).all().map {
                QueuePage.Batch(organization: $0.application.organizationName, batch: GroupBatchView.summary($0, today: today, contactView: false))
            }
        }
        let library = staff.library.name(in: req.locale)
        return try await req.view.render("staff/group-queue", QueuePage(
            library: library, applications: waiting.map(applicationRow), queued: try await batches([.queued], recentFirst: false, limit: 1000),
            importing: try await batches([.importing], recentFirst: false, limit: 100),
            recent: try await batches([.completed, .rejected], recentFirst: true, limit: 20),
            organizations: approved.map(applicationRow), today: today.iso))
    }

    // MARK: An application

    struct ApplicationPage: Encodable {
        struct Document: Encodable {
            let kindKey: String
            let mediaType: String
            let size: String
            let path: String
        }

        struct ContactChange: Encodable {
            let changedAt: String
            let previous: String
            let new: String
            let note: String
            let changedBy: String
        }

        let id: String
        let reference: String
        let statusKey: String
        let awaitsDecision: Bool
        let organization: String
        let kindKey: String
        let contactName: String
        let contactTitle: String
        let contactPhone: String
        let contactEmail: String
        let letterNumber: String
        let letterDate: String
        let submitted: String
        let due: String
        let overdue: Bool
        let decided: String?
        let rejectionReason: String?
        let documents: [Document]
        let contactChanges: [ContactChange]
        let batches: [GroupBatchView.Summary]
        let decisionErrors: [String: String]
        let contactForm: FormState
        let notice: String?
    }

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
        let id = try record.requireID()
        let today = CalendarDay(date: req.now, timeZone: .taipei)
        let documents = try await GroupDocument.query(on: req.db).filter(\.$application.$id == id).sort(\.$kind).all()
        let changes = try await GroupContactChange.query(on: req.db).filter(\.$application.$id == id).sort(\.$changedAt, .descending).all()
        let staffEmails = try await StaffMember.query(on: req.db).filter(\.$id ~~ Set(changes.map(\.changedBy))).all()
            .reduce(into: [UUID: String]()) { $0[$1.id!] = $1.email }
        let batches = try await GroupBatch.query(on: req.db).filter(\.$application.$id == id).sort(\.$receivedAt, .descending).all()
        // The contact person's details are personal data: each look is on the trail.
        try await AuditTrail.record("group_application.viewed", by: .staff(staff.requireID(), ipAddress: req.clientAddress),
                                    subject: ("group_application", id.uuidString), libraryID: record.$library.id, at: req.now, on: req.db)
        let due = CalendarDay(iso: record.dueOn) ?? today
        let page = ApplicationPage(
            id: id.uuidString, reference: record.reference, statusKey: "group.application.status.\(record.status.rawValue)",
            awaitsDecision: record.status == .submitted, organization: record.organizationName,
            kindKey: "group.kind.\(record.organizationKind.rawValue)", contactName: record.contactName, contactTitle: record.contactTitle,
            contactPhone: record.contactPhone, contactEmail: record.contactEmail, letterNumber: record.letterNumber,
            letterDate: record.letterDate, submitted: DeskController.dateTime(record.submittedAt), due: record.dueOn,
            overdue: record.status == .submitted && GroupBatchSchedule.isOverdue(due: due, today: today),
            decided: record.decidedAt.map(DeskController.dateTime), rejectionReason: record.rejectionReason,
            documents: documents.map {
                .init(kindKey: "group.field.\($0.kind == .applicationForm ? "applicationForm" : "consentStatement")",
                      mediaType: $0.fileExtension.uppercased(), size: ByteCountFormatter.string(fromByteCount: Int64($0.byteCount), countStyle: .file),
                      path: SiteURL.staffGroupDocument(id: .value($0.id!)).path)
            },
            contactChanges: changes.map {
                .init(changedAt: DeskController.dateTime($0.changedAt),
                      previous: "\($0.previousName)（\($0.previousTitle)）\($0.previousEmail) \($0.previousPhone)",
                      new: "\($0.newName)（\($0.newTitle)）\($0.newEmail) \($0.newPhone)", note: $0.note,
                      changedBy: staffEmails[$0.changedBy] ?? "—")
            },
            batches: batches.map { GroupBatchView.summary($0, today: today, contactView: false) },
            decisionErrors: GroupMessages.fieldMessages(decisionErrors, req), contactForm: contactForm,
            notice: req.query[String.self, at: "notice"].flatMap { ["decided", "contact_changed"].contains($0) ? req.t("group.review.notice.\($0)") : nil })
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
            try await GroupApplicationService(app: req.application, database: req.db, now: req.now)
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
        guard record.status != .rejected else { throw GroupApplicationError.notAwaitingDecision }
        let form = try req.content.decode(ContactForm.self)
        do {
            try await GroupApplicationService(app: req.application, database: req.db, now: req.now).changeContact(
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
        guard let id = req.parameters.get("id", as: UUID.self),
              let document = try await GroupDocument.query(on: req.db).filter(\.$id == id).with(\.$application).first(),
              document.application.$library.id == staff.$library.id
        else { throw OneCardError.notFound }
        let store = req.application.sealedFiles
        let context = document.sealContext
        let bytes = try await req.application.threadPool.runIfActive { try store.load(id: id, context: context) }
        try await AuditTrail.record("group_document.viewed", by: .staff(staff.requireID(), ipAddress: req.clientAddress),
                                    subject: ("group_document", id.uuidString), libraryID: staff.$library.id,
                                    details: ["kind": document.kind.rawValue, "application": document.application.reference],
                                    at: req.now, on: req.db)
        let parts = document.mediaType.split(separator: "/")
        let name = "\(document.application.reference)-\(document.kind.rawValue).\(document.fileExtension)"
        return GroupMessages.download(bytes, mediaType: HTTPMediaType(type: String(parts.first ?? "application"),
                                                                      subType: String(parts.last ?? "octet-stream")), name: name)
    }

    // MARK: A batch

    struct BatchPage: Encodable {
        struct Row: Encodable {
            let row: Int
            let name: String
            let maskedID: String
            let birthDate: String
            let roleKey: String
            let unit: String
            let email: String
            let statusKey: String
        }

        let organization: String
        let applicationPath: String
        let batch: GroupBatchView.Summary
        let leftOut: [GroupBatchView.LeftOut]
        let rows: [Row]
        let pages: [Pagination.Link]
        let awaitsDecision: Bool
        let summaryPath: String?
        let decisionErrors: [String: String]
        let notice: String?
    }

    private func ownBatch(_ req: Request, _ staff: StaffMember) async throws -> GroupBatch {
        guard let id = req.parameters.get("id", as: UUID.self),
              let batch = try await GroupBatch.query(on: req.db).filter(\.$id == id).with(\.$application).first(),
              batch.application.$library.id == staff.$library.id
        else { throw OneCardError.notFound }
        return batch
    }

    private func renderBatch(_ req: Request, _ staff: StaffMember, _ batch: GroupBatch, decisionErrors: [FieldError] = [],
                             status: HTTPStatus = .ok) async throws -> Response {
        let id = try batch.requireID()
        let today = CalendarDay(date: req.now, timeZone: .taipei)
        var summary = GroupBatchView.summary(batch, today: today, contactView: false)
        summary.queuePosition = try await GroupBatchView.queuePosition(batch, libraryID: staff.$library.id, on: req.db)
        let total = try await GroupBatchRow.query(on: req.db).filter(\.$batch.$id == id).count()
        let pagination = Pagination(total: total, pageSize: Self.rowsPerPage, requested: req.query[Int.self, at: "page"])
        let rows = try await GroupBatchRow.query(on: req.db).filter(\.$batch.$id == id).sort(\.$rowNumber)
            .range(pagination.offset..<(pagination.offset + Self.rowsPerPage)).all()
        let patrons = try await Patron.query(on: req.db).filter(\.$id ~~ rows.filter { $0.status == .imported }.map(\.patronID)).all()
            .reduce(into: [UUID: Patron]()) { $0[$1.id!] = $1 }
        let vault = req.application.vault
        func masked(_ sealed: String?) -> String {
            guard let sealed, let number = try? vault.open(sealed, context: CardApplicationService.idNumberContext),
                  case .success(let identity) = IdentityNumber.parse(number) else { return "—" }
            return identity.masked
        }
        // Names, birth dates and (masked) ID numbers of the batch's people: the look is on the trail.
        try await AuditTrail.record("group_batch.viewed", by: .staff(staff.requireID(), ipAddress: req.clientAddress),
                                    subject: ("group_batch", id.uuidString), libraryID: staff.$library.id,
                                    details: ["page": String(pagination.page)], at: req.now, on: req.db)
        let path = SiteURL.staffGroupBatch(id: .value(id)).path
        let page_ = BatchPage(
            organization: batch.application.organizationName,
            applicationPath: SiteURL.staffGroupApplication(id: .value(batch.application.id!)).path,
            batch: summary, leftOut: GroupBatchView.leftOut(batch.leftOut, req: req),
            rows: rows.map { row in
                let patron = patrons[row.patronID]
                // Once imported, the card holds the person's data (and an erased card shows nothing).
                return .init(row: row.rowNumber, name: patron?.name ?? row.name ?? "—",
                             maskedID: row.idNumberSealed != nil ? masked(row.idNumberSealed) : masked(patron?.idNumberSealed),
                             birthDate: patron?.birthDate ?? row.birthDate ?? "—", roleKey: "group.role.\(row.role)", unit: row.unit ?? "",
                             email: patron?.email ?? row.email ?? "",
                             statusKey: "group.row.status.\(row.status.rawValue)")
            },
            pages: pagination.links(path: path),
            awaitsDecision: batch.status.awaitsDecision,
            summaryPath: batch.status == .completed ? SiteURL.staffGroupBatchSummary(id: .value(id)).path : nil,
            decisionErrors: GroupMessages.fieldMessages(decisionErrors, req),
            notice: req.query[String.self, at: "notice"].flatMap { ["approved", "rejected"].contains($0) ? req.t("group.review.notice.batch_\($0)") : nil })
        return try await req.view.render("staff/group-batch", page_).encodeResponse(status: status, for: req)
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
        let importer = GroupBatchImporter(app: req.application)
        do {
            if decision == "approve" {
                try await importer.approve(batch, by: staff, ipAddress: req.clientAddress)
                try await req.application.startGroupImport(batch.requireID())
            } else {
                try await importer.reject(batch, reason: form.reason ?? "", by: staff, ipAddress: req.clientAddress)
            }
        } catch GroupApplicationError.invalid(let errors) {
            return try await renderBatch(req, staff, batch, decisionErrors: errors, status: .unprocessableEntity)
        }
        let notice = decision == "approve" ? "approved" : "rejected"
        return req.redirect(to: SiteURL.staffGroupBatch(id: .value(batch.id!)).path + "?notice=\(notice)", redirectType: .normal)
    }

    @Sendable
    func summary(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let batch = try await ownBatch(req, staff)
        guard batch.status == .completed else { throw OneCardError.notFound }
        let bytes = try await GroupBatchView.summaryXLSX(batch, record: batch.application, req: req)
        try await AuditTrail.record("group_batch.summary_downloaded", by: .staff(staff.requireID(), ipAddress: req.clientAddress),
                                    subject: ("group_batch", batch.id!.uuidString), libraryID: staff.$library.id, at: req.now, on: req.db)
        return GroupMessages.download(bytes, type: .xlsx, name: "\(req.t("group.summary.file_name"))-\(batch.reference).xlsx")
    }
}
