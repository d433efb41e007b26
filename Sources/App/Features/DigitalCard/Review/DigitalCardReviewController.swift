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
        routes.post(.staffDigitalCard(id: .key), maximumBytes: .form, use: decide)
        routes.get(.staffDigitalCardFile(id: .key, file: .key), use: file)
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
        var page = try await DigitalCardQueuePage.query(by: staff, ipAddress: req.clientAddress, database: req.db, now: req.now)
        page.notice = req.query[String.self, at: "decided"].map { req.t("staff.digital.decided.\($0)") }
        return try await req.view.render("staff/digital-queue", page)
    }

    private func pages(_ req: Request) -> DigitalCardReviewPage.Query {
        DigitalCardReviewPage.Query(database: req.db, vault: req.application.vault, documents: req.application.identityDocuments,
                                    now: req.now)
    }

    @Sendable
    func show(req: Request) async throws -> View {
        let staff = try await requireReviewer(req)
        let page = try await pages(req).viewed(req.parameters.get("id", as: UUID.self), by: staff, ipAddress: req.clientAddress)
        return try await req.view.render("staff/digital-application", page)
    }

    /// One uploaded document, for the reviewer's eyes only: never cached, never sniffed as anything else.
    @Sendable
    func file(req: Request) async throws -> Response {
        let staff = try await requireReviewer(req)
        let query = pages(req)
        let application = try await query.application(req.parameters.get("id", as: UUID.self))
        let (file, bytes) = try await query.document(req.parameters.get("file", as: UUID.self), of: application, by: staff,
                                                     ipAddress: req.clientAddress)
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: file.mediaType)
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        headers.replaceOrAdd(name: .contentDisposition, value: "inline; filename=\"\(file.slot).\(file.mediaType.split(separator: "/").last ?? "bin")\"")
        headers.replaceOrAdd(name: "Content-Security-Policy", value: SecurityHeadersMiddleware.uploadedFilePolicy)
        return Response(status: .ok, headers: headers, body: .init(data: bytes))
    }

    struct Decision: Content {
        var decision: String?
        var reason: String?
    }

    @Sendable
    func decide(req: Request) async throws -> Response {
        let staff = try await requireReviewer(req)
        let application = try await pages(req).application(req.parameters.get("id", as: UUID.self))
        let form = try req.content.decode(Decision.self)
        let reason = (form.reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let service = req.digitalCards
        do {
            switch form.decision {
            case "approve": try await service.approve(application, by: staff, ipAddress: req.clientAddress)
            case "reject": try await service.reject(application, reason: reason, by: staff, ipAddress: req.clientAddress)
            case "return": try await service.returnForCorrection(application, reason: reason, by: staff, ipAddress: req.clientAddress)
            default: throw Abort(.badRequest)
            }
        } catch let error as DigitalCardError {
            let message = if case .invalid = error { req.t("staff.digital.reason_required") } else { req.t(error.messageKey) }
            let page = try await pages(req).page(for: application, error: message, reason: reason)
            return try await req.view.render("staff/digital-application", page).encodeResponse(status: HTTPErrorMapping.status(for: error), for: req)
        }
        return req.redirect(to: SiteURL.staffDigitalCards.path + "?decided=\(form.decision ?? "")", redirectType: .normal)
    }
}
