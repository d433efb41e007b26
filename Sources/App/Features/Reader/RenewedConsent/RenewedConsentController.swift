import Fluent
import Vapor

/// 同意書更新: the page a reader answers at sign-in when a consent version asks for renewed consent, one
/// document at a time; then on to where the sign-in was going (`Request.askRenewedConsent`).
struct RenewedConsentController: RouteCollection {
    static let continuationKey = "renewed_consent_next"
    static let channelKey = "renewed_consent_channel"

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.accountRenewedConsent, use: show)
        routes.post(.accountRenewedConsent, maximumBytes: .form, use: answer)
    }

    struct Page: Encodable {
        let code: String
        let statement: ConsentStatement
        let agreedVersion: Int
        let version: Int
        /// What declining ends: a partner library's link, or the card's own statement (erasure).
        let partnerLibrary: String?
        let endsCard: Bool
        let remaining: Int
    }

    struct AnswerForm: Content {
        var code: String?
        var decision: String?
    }

    @Sendable
    func show(req: Request) async throws -> Response {
        guard let patron = try await req.signedInPatron() else { return req.redirect(to: SiteURL.service(.signIn).path) }
        let questions = try await req.renewedConsent.questions(for: patron.requireID())
        guard let question = questions.first else { return goOn(req) }
        let document = question.document
        let partner = try await PartnerLink.query(on: req.db).filter(\.$patron.$id == patron.requireID()).filter(\.$status == .active)
            .join(ConsentRecord.self, on: \PartnerLink.$consentRecord.$id == \ConsentRecord.$id)
            .join(ConsentDocument.self, on: \ConsentRecord.$document.$id == \ConsentDocument.$id)
            .filter(ConsentDocument.self, \.$code == document.code)
            .with(\.$partnerService, { $0.with(\.$partnerLibrary) }).first()
        let page = Page(code: document.code,
                        statement: ConsentStatement(title: document.title(in: req.locale), body: document.body(in: req.locale)),
                        agreedVersion: question.agreedVersion, version: document.version,
                        partnerLibrary: partner.map { $0.partnerService.partnerLibrary?.name(in: req.locale) ?? $0.partnerService.name(in: req.locale) },
                        endsCard: partner == nil && document.code.hasSuffix("_PRIVACY"), remaining: questions.count)
        return try await req.view.render("reader/renewed-consent", page).encodeResponse(for: req)
    }

    @Sendable
    func answer(req: Request) async throws -> Response {
        guard let patron = try await req.signedInPatron() else { return req.redirect(to: SiteURL.service(.signIn).path) }
        let form = try req.content.decode(AnswerForm.self)
        let code = form.code ?? ""
        switch form.decision {
        case "accept":
            try await req.renewedConsent.accept(code: code, for: patron, channel: req.session.data[Self.channelKey] ?? "web",
                                                ipAddress: req.clientAddress)
        case "decline":
            try await req.renewedConsent.decline(code: code, for: patron, ipAddress: req.clientAddress)
        default:
            throw Abort(.badRequest)
        }
        return req.redirect(to: SiteURL.accountRenewedConsent.path, redirectType: .normal)
    }

    /// Nothing (more) to ask: where the sign-in was going.
    private func goOn(_ req: Request) -> Response {
        let next = req.session.data[Self.continuationKey] ?? SiteURL.myHome.path
        req.session.data[Self.continuationKey] = nil
        req.session.data[Self.channelKey] = nil
        return req.redirect(to: next, redirectType: .normal)
    }
}
