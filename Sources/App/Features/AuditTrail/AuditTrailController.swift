import Vapor

/// The audit trail (issue #14 item 5): filtered, paged and downloadable, for a library's administrators (their
/// library's entries) and the consortium administrator (every entry). Looking and downloading are audited.
struct AuditTrailController: RouteCollection {
    static let roles: Set<StaffMember.Role> = [.admin, .consortiumAdmin]

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staffAudit, use: trail)
        routes.post(.staffAudit, maximumBytes: .form, use: search)
        for format in SiteURL.AuditExportFormat.allCases {
            routes.get(.staffAuditExport(format)) { req in try await export(req, format: format) }
        }
    }

    /// The form as posted, or a link's query.
    struct FilterFields: Content {
        var from: String?
        var to: String?
        var actor: String?
        var action: String?
        var subject: String?
        var library: String?

        var input: AuditTrailFilter.Input {
            .init(from: from ?? "", to: to ?? "", actor: actor ?? "", action: action ?? "", subject: subject ?? "", library: library ?? "")
        }
    }

    private func query(_ req: Request) -> AuditTrailPage.Query {
        AuditTrailPage.Query(database: req.db, vault: req.application.vault, localizer: req.application.localizer,
                             locale: req.locale, now: req.now)
    }

    private func validated(_ req: Request, _ fields: FilterFields, typedSubject: Bool, staff: StaffMember)
        -> Result<AuditTrailFilter, AuditTrailFilter.FieldErrors> {
        AuditTrailFilter.validated(fields.input, typedSubject: typedSubject,
                                   actionCodes: Set(AuditActionWords.codes(localizer: req.application.localizer)),
                                   mayChooseLibrary: AuditTrailPage.Query.seesEveryLibrary(staff), ownLibraryCode: staff.library.code,
                                   vault: req.application.vault)
    }

    /// What the form shows: the values of the filter in force (a subject typed before, opened from its seal,
    /// so the person sees what they typed), or what was posted when it was refused.
    private func form(_ req: Request, _ fields: FilterFields, filter: AuditTrailFilter?, errors: [String: String] = [:]) -> FormState {
        var values = ["from": fields.from ?? "", "to": fields.to ?? "", "actor": fields.actor ?? "", "action": fields.action ?? "",
                      "library": fields.library ?? "", "subject": ""]
        if case .typed(let text)? = filter?.subject { values["subject"] = text }
        if filter == nil, errors.isEmpty == false, fields.subject?.hasPrefix("sealed:") == false { values["subject"] = fields.subject ?? "" }
        return FormState(values: values, errors: errors.mapValues { req.t($0) })
    }

    @Sendable
    func trail(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let fields = try req.query.decode(FilterFields.self)
        switch validated(req, fields, typedSubject: false, staff: staff) {
        case .success(let filter):
            let cursor = AuditTrailCursor(.before, value: req.query[String.self, at: "before"])
                ?? AuditTrailCursor(.after, value: req.query[String.self, at: "after"])
            let page = try await query(req).model(filter, cursor: cursor, staff: staff, ipAddress: req.clientAddress,
                                                  form: form(req, fields, filter: filter))
            return try await req.view.render("staff/audit", page).encodeResponse(for: req)
        case .failure(let errors):
            return try await refused(req, fields, errors: errors, staff: staff)
        }
    }

    /// The posted form: the subject as typed is sealed into the address the browser is sent on to, so an ID
    /// number is never in a URL.
    @Sendable
    func search(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let fields = try req.content.decode(FilterFields.self)
        switch validated(req, fields, typedSubject: true, staff: staff) {
        case .success(let filter):
            let query = try AuditTrailFilter.queryString(filter.query(vault: req.application.vault))
            return req.redirect(to: SiteURL.staffAudit.path + "?" + query, redirectType: .normal)
        case .failure(let errors):
            return try await refused(req, fields, errors: errors, staff: staff)
        }
    }

    private func refused(_ req: Request, _ fields: FilterFields, errors: AuditTrailFilter.FieldErrors, staff: StaffMember) async throws -> Response {
        let page = try await query(req).model(nil, cursor: nil, staff: staff, ipAddress: req.clientAddress,
                                              form: form(req, fields, filter: nil, errors: errors.keys))
        let response = try await req.view.render("staff/audit", page).encodeResponse(for: req)
        response.status = .unprocessableEntity
        return response
    }

    private func export(_ req: Request, format: SiteURL.AuditExportFormat) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let fields = try req.query.decode(FilterFields.self)
        let filter: AuditTrailFilter
        switch validated(req, fields, typedSubject: false, staff: staff) {
        case .success(let valid): filter = valid
        case .failure(let errors): return try await refused(req, fields, errors: errors, staff: staff)
        }
        do {
            let bytes = try await query(req).export(filter, as: format, staff: staff, ipAddress: req.clientAddress)
            let name = "\(req.t("staff.audit.title"))-\(DisplayTime.second(req.now).prefix(10)).\(format == .csv ? "csv" : "xlsx")"
            return GroupMessages.download(bytes, mediaType: format.mediaType, name: name)
        } catch is AuditTrailPage.Query.TooManyToExport {
            let page = try await query(req).model(filter, cursor: nil, staff: staff, ipAddress: req.clientAddress,
                                                  form: form(req, fields, filter: filter),
                                                  exportError: req.t("staff.audit.export_too_many", ["limit": AuditTrailPage.Query.exportLimit.formatted()]))
            let response = try await req.view.render("staff/audit", page).encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        }
    }
}
