import Fluent
import OneCardDomain
import Vapor

/// The administrators' reports (issue #14 item 4): `/staff/reports` and each report's xlsx or csv download.
/// A library's administrator sees their own library; the consortium administrator every library, or one.
struct ReportsController: RouteCollection {
    static let roles: Set<StaffMember.Role> = [.admin, .consortiumAdmin]

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staffReports, use: page)
        routes.get(.staffReportDownload(report: .key, format: .key), use: download)
    }

    private func typed(_ req: Request, _ name: String) -> String {
        String((req.query[String.self, at: name] ?? "").trimmingCharacters(in: .whitespaces).prefix(40))
    }

    @Sendable
    func page(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        var form = FormState(values: ["from": typed(req, "from"), "to": typed(req, "to"), "library": typed(req, "library")])
        let libraries = staff.role == .consortiumAdmin ? try await Library.query(on: req.db).sort(\.$position).all() : nil
        let options = libraries.map { all in
            [ReportsPage.Option(value: "", label: req.t("staff.reports.all_libraries"), selected: form.values["library"] == "")]
                + all.map { .init(value: $0.code, label: $0.name(in: req.locale), selected: $0.code == form.values["library"]) }
        }
        do {
            let range = try await resolve(req, staff: staff, form: form)
            form.values["from"] = range.from.iso
            form.values["to"] = range.to.iso
            let figures = try await ReportFigures.Query(database: req.db, today: today(req), locale: req.locale).figures(for: range)
            let t: ReportsPage.Translate = { req.t($0, $1) }
            let sections = ReportKind.allCases.map { kind in
                ReportsPage.Section(
                    chart: ReportsPage.chart(kind, figures, t: t), table: ReportsPage.table(kind, figures, t: t),
                    downloads: ReportDownload.Format.allCases.map { format in
                        .init(label: req.t("staff.reports.download.\(format.rawValue)"),
                              path: SiteURL.staffReportDownload(report: .value(kind.rawValue), format: .value(format.rawValue)).path
                                  + "?" + query(range))
                    })
            }
            let model = ReportsPage.Model(form: form, libraries: options, scope: scope(range, req), sections: sections)
            return try await req.view.render("staff/reports", model).encodeResponse(for: req)
        } catch ReportRangeError.invalid(let errors) {
            for error in errors { form.errors[error.field] = req.t("staff.reports.error.\(error.code)") }
            let model = ReportsPage.Model(form: form, libraries: options, scope: nil, sections: [])
            return try await req.view.render("staff/reports", model).encodeResponse(status: .unprocessableEntity, for: req)
        }
    }

    @Sendable
    func download(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        guard let kind = ReportKind(rawValue: try req.parameters.require("report")),
              let format = ReportDownload.Format(rawValue: try req.parameters.require("format")) else { throw OneCardError.notFound }
        let range = try await resolve(req, staff: staff, form: FormState(values: ["from": typed(req, "from"), "to": typed(req, "to"),
                                                                                  "library": typed(req, "library")]))
        let figures = try await ReportFigures.Query(database: req.db, today: today(req), locale: req.locale).figures(for: range)
        let table = ReportsPage.table(kind, figures, t: { req.t($0, $1) })
        let bytes = try await ReportDownload(database: req.db, threadPool: req.application.threadPool, now: req.now)
            .file(table, kind: kind, format: format, range: range, scope: scope(range, req), by: staff, ipAddress: req.clientAddress)
        let name = "onecard-\(kind.rawValue)-\(range.library?.code.lowercased() ?? "all")-\(range.from.iso)-\(range.to.iso).\(format.rawValue)"
        let media = format == .xlsx ? GroupMessages.FileType.xlsx.mediaType : HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        return GroupMessages.download(bytes, mediaType: media, name: name)
    }

    private func today(_ req: Request) -> CalendarDay { CalendarDay(date: req.now, timeZone: .taipei) }

    /// The range asked for. A library's administrator may name only their own library (or none); the
    /// consortium administrator any, or none for all of them.
    private func resolve(_ req: Request, staff: StaffMember, form: FormState) async throws -> ReportRange {
        let code = form.values["library"] ?? ""
        var library: Library? = staff.library
        var errors: [FieldError] = []
        if staff.role == .consortiumAdmin {
            library = nil
            if !code.isEmpty {
                library = try await Library.query(on: req.db).filter(\.$code == code).first()
                if library == nil { errors.append(FieldError(field: "library", code: "library_unknown")) }
            }
        } else if !code.isEmpty && code != staff.library.code {
            throw OneCardError.staffRoleRequired
        }
        var days: (CalendarDay, CalendarDay)?
        do {
            days = try ReportRange.days(from: form.values["from"] ?? "", to: form.values["to"] ?? "", today: today(req))
        } catch ReportRangeError.invalid(let dateErrors) {
            errors = dateErrors + errors
        }
        guard errors.isEmpty, let (from, to) = days else { throw ReportRangeError.invalid(errors) }
        return ReportRange(from: from, to: to, library: library)
    }

    private func scope(_ range: ReportRange, _ req: Request) -> String {
        req.t("staff.reports.scope", ["library": range.library?.name(in: req.locale) ?? req.t("staff.reports.all_libraries"),
                                      "from": range.from.iso, "to": range.to.iso])
    }

    private func query(_ range: ReportRange) -> String {
        "from=\(range.from.iso)&to=\(range.to.iso)" + (range.library.map { "&library=\($0.code)" } ?? "")
    }
}
