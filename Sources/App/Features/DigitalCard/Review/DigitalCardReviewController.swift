import Fluent
import OneCardDomain
import Vapor

/// The reviewers' queue of digital card applications: sorted by due date, overdue marked; the
/// application with its documents (every look audited); approve, reject with a reason, or return for
/// correction (補件).
struct DigitalCardReviewController: RouteCollection {
    static let roles: Set<StaffMember.Role> = [.reviewer, .admin]

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staffDigitalCards, use: queue)
        routes.get(.staffDigitalCard(id: .key), use: show)
        routes.post(.staffDigitalCard(id: .key), use: decide)
        routes.get(.staffDigitalCardFile(id: .key, file: .key), use: file)
    }

    struct QueuePage: Encodable {
        struct Row: Encodable {
            let id: String
            let applicationNumber: String
            let name: String
            let submittedAt: String
            let dueOn: String
            let overdue: Bool
            let dueToday: Bool
            let documentSetKey: String
        }

        let rows: [Row]
        let notice: String?
    }

    private func requireReviewer(_ req: Request) async throws -> StaffMember {
        let staff = try await req.requireStaff(Self.roles)
        // Digital cards are issued and reviewed by one library (國資圖); others have no queue.
        guard staff.library.code == DigitalCardService.libraryCode else { throw OneCardError.staffRoleRequired }
        return staff
    }

    @Sendable
    func queue(req: Request) async throws -> View {
        let staff = try await requireReviewer(req)
        let applications = try await DigitalCardApplication.query(on: req.db).filter(\.$status == .submitted)
            .with(\.$patron).sort(\.$dueOn).sort(\.$submittedAt).all()
        try await AuditTrail.record("digital_card.queue_viewed", by: .staff(staff.id!, ipAddress: req.clientAddress),
                                    libraryID: staff.$library.id, details: ["count": String(applications.count)], at: req.now, on: req.db)
        let today = CalendarDay(date: req.now, timeZone: .taipei).iso
        let rows = applications.map {
            QueuePage.Row(id: $0.id!.uuidString, applicationNumber: $0.patron.applicationNumber, name: $0.patron.name,
                          submittedAt: DeskController.dateTime($0.submittedAt), dueOn: $0.dueOn,
                          overdue: $0.dueOn < today, dueToday: $0.dueOn == today,
                          documentSetKey: "digital.document_set.\($0.documentSet)")
        }
        let notice = req.query[String.self, at: "decided"].map { req.t("staff.digital.decided.\($0)") }
        return try await req.view.render("staff/digital-queue", QueuePage(rows: rows, notice: notice))
    }

    struct DetailPage: Encodable {
        struct Document: Encodable {
            let id: String
            let labelKey: String
            let isImage: Bool
            let mediaType: String
            let size: String
            let removedMetadata: String?
            let uploadedAt: String
        }

        let id: String
        let applicationNumber: String
        let statusKey: String
        let canDecide: Bool
        let name: String
        let idNumber: String
        let birthDate: String
        let age: Int
        let email: String
        let mobile: String?
        let documentSetKey: String
        let guardianName: String?
        let guardianRelation: String?
        let submittedAt: String
        let dueOn: String
        let documents: [Document]
        let filesErased: Bool
        let error: String?
        let reason: String
    }

    private func load(_ req: Request) async throws -> DigitalCardApplication {
        guard let id = req.parameters.get("id", as: UUID.self),
              let application = try await DigitalCardApplication.query(on: req.db).filter(\.$id == id).with(\.$patron).first()
        else { throw OneCardError.notFound }
        return application
    }

    private func detail(_ req: Request, _ application: DigitalCardApplication, error: String? = nil, reason: String = "") async throws -> DetailPage {
        let patron = application.patron
        let idNumber = try patron.idNumberSealed.map { try req.application.vault.open($0, context: CardApplicationService.idNumberContext) } ?? "—"
        let files = try await IdentityDocumentFile.query(on: req.db).filter(\.$application.$id == application.requireID())
            .filter(\.$superseded == false).filter(\.$erasedAt == nil).all()
        let order = IdentityDocumentSlot.allCases.map(\.rawValue)
        let today = CalendarDay(date: req.now, timeZone: .taipei)
        return DetailPage(
            id: application.id!.uuidString, applicationNumber: patron.applicationNumber,
            statusKey: "staff.digital.status.\(application.status.rawValue)", canDecide: application.status == .submitted,
            name: patron.name, idNumber: idNumber, birthDate: patron.birthDate ?? "—",
            age: patron.birthDate.flatMap(CalendarDay.init(iso:))?.age(on: today) ?? 0,
            email: patron.email ?? "—", mobile: patron.mobile,
            documentSetKey: "digital.document_set.\(application.documentSet)",
            guardianName: application.guardianName, guardianRelation: application.guardianRelation,
            submittedAt: DeskController.dateTime(application.submittedAt), dueOn: application.dueOn,
            documents: files.sorted { (order.firstIndex(of: $0.slot) ?? 9) < (order.firstIndex(of: $1.slot) ?? 9) }.map {
                .init(id: $0.id!.uuidString, labelKey: "digital.upload.\($0.slot)", isImage: $0.mediaType.hasPrefix("image/"),
                      mediaType: $0.mediaType, size: ByteCountFormatter.string(fromByteCount: Int64($0.byteCount), countStyle: .file),
                      removedMetadata: $0.removedMetadata, uploadedAt: DeskController.dateTime($0.uploadedAt))
            },
            filesErased: application.filesErasedAt != nil, error: error, reason: reason)
    }

    @Sendable
    func show(req: Request) async throws -> View {
        let staff = try await requireReviewer(req)
        let application = try await load(req)
        try await AuditTrail.record("digital_card.viewed", by: .staff(staff.id!, ipAddress: req.clientAddress),
                                    subject: ("patron", application.patron.id!.uuidString), libraryID: staff.$library.id, at: req.now, on: req.db)
        return try await req.view.render("staff/digital-application", try await detail(req, application))
    }

    /// One uploaded document, for the reviewer's eyes only: never cached, never sniffed as anything else.
    @Sendable
    func file(req: Request) async throws -> Response {
        let staff = try await requireReviewer(req)
        let application = try await load(req)
        guard let fileID = req.parameters.get("file", as: UUID.self),
              let file = try await IdentityDocumentFile.query(on: req.db).filter(\.$id == fileID)
                .filter(\.$application.$id == application.requireID()).filter(\.$erasedAt == nil).first()
        else { throw OneCardError.notFound }
        try await AuditTrail.record("identity_document.viewed", by: .staff(staff.id!, ipAddress: req.clientAddress),
                                    subject: ("patron", application.patron.id!.uuidString), libraryID: staff.$library.id,
                                    details: ["document": file.slot], at: req.now, on: req.db)
        let bytes = try req.application.identityDocuments.read(fileID)
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: file.mediaType)
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        headers.replaceOrAdd(name: .contentDisposition, value: "inline; filename=\"\(file.slot).\(file.mediaType.split(separator: "/").last ?? "bin")\"")
        headers.replaceOrAdd(name: "Content-Security-Policy", value: "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
        return Response(status: .ok, headers: headers, body: .init(data: bytes))
    }

    struct Decision: Content {
        var decision: String?
        var reason: String?
    }

    @Sendable
    func decide(req: Request) async throws -> Response {
        let staff = try await requireReviewer(req)
        let application = try await load(req)
        let form = try req.content.decode(Decision.self)
        let reason = (form.reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let service = DigitalCardService(app: req.application, database: req.db, now: req.now)
        do {
            switch form.decision {
            case "approve": try await service.approve(application, by: staff, ipAddress: req.clientAddress)
            case "reject": try await service.reject(application, reason: reason, by: staff, ipAddress: req.clientAddress)
            case "return": try await service.returnForCorrection(application, reason: reason, by: staff, ipAddress: req.clientAddress)
            default: throw Abort(.badRequest)
            }
        } catch let error as DigitalCardError {
            let message = if case .invalid = error { req.t("staff.digital.reason_required") } else { req.t(error.messageKey) }
            let page = try await detail(req, application, error: message, reason: reason)
            return try await req.view.render("staff/digital-application", page).encodeResponse(status: HTTPErrorMapping.status(for: error), for: req)
        }
        return req.redirect(to: SiteURL.staffDigitalCards.path + "?decided=\(form.decision ?? "")", redirectType: .normal)
    }
}
