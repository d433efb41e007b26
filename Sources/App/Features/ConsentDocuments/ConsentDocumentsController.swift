import Fluent
import Vapor

/// The administrators' consent documents (issue #14 item 6): every version, the next version's draft, its
/// preview as readers will see it, and its publication with an effective date. Everyone with these roles
/// reads every document; `ConsentDocumentOwner` decides who may change which.
struct ConsentDocumentsController: RouteCollection {
    static let roles: Set<StaffMember.Role> = [.admin, .consortiumAdmin]

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staffConsents, use: index)
        routes.get(.staffConsent(code: .key), use: show)
        routes.post(.staffConsentVersion(code: .key, version: .key), maximumBytes: .form, use: save)
        routes.get(.staffConsentPreview(code: .key, version: .key), use: preview)
        routes.post(.staffConsentPublish(code: .key, version: .key), maximumBytes: .form, use: publish)
    }

    struct DraftForm: Content {
        var titleZH: String?
        var titleEN: String?
        var bodyZH: String?
        var bodyEN: String?
        var requiresRenewedConsent: String?
        /// `preview` saves, then shows the preview.
        var action: String?
    }

    struct PublishForm: Content {
        var effectiveDate: String?
    }

    struct PreviewPage: Encodable {
        let code: String
        let version: Int
        let draft: Bool
        let renewedConsent: Bool
        let statement: ConsentStatement
        let backPath: String
    }

    private func publication(_ req: Request) -> ConsentPublication { ConsentPublication(database: req.db, now: req.now) }

    private func address(_ req: Request) throws -> (code: String, version: Int) {
        guard let version = req.parameters.get("version", as: Int.self) else { throw OneCardError.notFound }
        return (try req.parameters.require("code"), version)
    }

    @Sendable
    func index(req: Request) async throws -> View {
        let staff = try await req.requireStaff(Self.roles)
        let page = try await ConsentDocumentsPage.Model.query(staff: staff, locale: req.locale, now: req.now, on: req.db)
        return try await req.view.render("staff/consents", page)
    }

    @Sendable
    func show(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let notices = ["saved": "consents.notice.saved", "published": "consents.notice.published"]
        let notice = req.query[String.self, at: "notice"].flatMap { notices[$0] }.map { req.t($0) }
        return try await page(req, code: try req.parameters.require("code"), staff: staff, typed: nil, notice: notice, status: .ok)
    }

    @Sendable
    func save(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let (code, version) = try address(req)
        let form = try req.content.decode(DraftForm.self)
        let text = ConsentText(titleZH: form.titleZH ?? "", titleEN: form.titleEN ?? "", bodyZH: form.bodyZH ?? "", bodyEN: form.bodyEN ?? "")
        do {
            try await publication(req).saveDraft(code: code, version: version, text: text,
                                                 requiresRenewedConsent: form.requiresRenewedConsent == "yes",
                                                 by: staff, ipAddress: req.clientAddress)
        } catch let error as ConsentDocumentError where error == .textRequired {
            var state = FormState(values: ["titleZH": text.titleZH, "titleEN": text.titleEN, "bodyZH": text.bodyZH, "bodyEN": text.bodyEN,
                                           "requiresRenewedConsent": form.requiresRenewedConsent ?? ""])
            state.errors["form"] = req.t(error.messageKey)
            return try await page(req, code: code, staff: staff, typed: state, notice: nil, status: HTTPErrorMapping.status(for: error))
        }
        let target = form.action == "preview"
            ? SiteURL.staffConsentPreview(code: .value(code), version: .value(version)).path
            : SiteURL.staffConsent(code: .value(code)).path + "?notice=saved"
        return req.redirect(to: target, redirectType: .normal)
    }

    /// A version as readers will see it, in the page's language (the language switch shows the other).
    @Sendable
    func preview(req: Request) async throws -> View {
        _ = try await req.requireStaff(Self.roles)
        let (code, version) = try address(req)
        let versions = try await publication(req).versions(of: code)
        let back = SiteURL.staffConsent(code: .value(code)).path
        if let document = versions.first(where: { $0.version == version }) {
            return try await req.view.render("staff/consent-preview", PreviewPage(
                code: code, version: version, draft: false, renewedConsent: document.requiresRenewedConsent,
                statement: ConsentStatement(title: document.title(in: req.locale), body: document.body(in: req.locale)), backPath: back))
        }
        guard version == versions[0].version + 1, let draft = try await publication(req).draft(of: code) else {
            throw ConsentDocumentError.noDraft
        }
        return try await req.view.render("staff/consent-preview", PreviewPage(
            code: code, version: version, draft: true, renewedConsent: draft.requiresRenewedConsent,
            statement: ConsentStatement(title: req.locale.choose(zhTW: draft.titleZH, en: draft.titleEN),
                                        body: req.locale.choose(zhTW: draft.bodyZH, en: draft.bodyEN)), backPath: back))
    }

    @Sendable
    func publish(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let (code, version) = try address(req)
        let form = try req.content.decode(PublishForm.self)
        do {
            try await publication(req).publish(code: code, version: version, effectiveDate: form.effectiveDate ?? "",
                                               by: staff, ipAddress: req.clientAddress)
        } catch let error as ConsentDocumentError where [.effectiveDateInvalid, .effectiveDatePast].contains(error) {
            var state = FormState()
            state.errors["effectiveDate"] = req.t(error.messageKey)
            let model = try await ConsentDocumentPage.Model.query(code: code, staff: staff, typed: nil, notice: nil, locale: req.locale,
                                                                  localizer: req.application.localizer, now: req.now, on: req.db)
            state.values = model.form.values
            state.values["effectiveDate"] = form.effectiveDate ?? ""
            return try await page(req, code: code, staff: staff, typed: state, notice: nil, status: HTTPErrorMapping.status(for: error))
        }
        return req.redirect(to: SiteURL.staffConsent(code: .value(code)).path + "?notice=published", redirectType: .normal)
    }

    private func page(_ req: Request, code: String, staff: StaffMember, typed: FormState?, notice: String?,
                      status: HTTPResponseStatus) async throws -> Response {
        let model = try await ConsentDocumentPage.Model.query(code: code, staff: staff, typed: typed, notice: notice, locale: req.locale,
                                                              localizer: req.application.localizer, now: req.now, on: req.db)
        return try await req.view.render("staff/consent", model).encodeResponse(status: status, for: req)
    }
}
