import Fluent
import OneCardDomain
import Vapor

/// 網路辦證, as the seed walks through it: the personal-data statement and the city identity consent →
/// the form → 線上申辦成功.
struct CardApplicationController: RouteCollection {
    static let libraryCode = "TPML"
    static let consentCodes = CardApplicationConsents.codes
    static let consentSessionKey = "apply_consent"
    static let doneSessionKey = "apply_done"
    static let captchaModeSessionKey = "captcha_mode"
    static let captchaQuestionMode = "question"

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.service(.cardApplication), use: consentPage)
        routes.post(.service(.cardApplication), maximumBytes: .form, use: agree)
        routes.get(.applicationForm, use: formPage)
        routes.post(.applicationForm, maximumBytes: .form, use: submit)
        routes.get(.applicationCaptcha, use: captcha)
        routes.get(.applicationDone, use: done)
    }

    struct ConsentPage: Encodable {
        struct Document: Encodable {
            let title: String
            let paragraphs: [String]
        }

        let documents: [Document]
        let error: String?
    }

    static func documentView(_ document: ConsentDocument, _ locale: SiteLocale) -> ConsentPage.Document {
        let body = document.body(in: locale)
        return .init(title: document.title(in: locale),
                     paragraphs: body.components(separatedBy: "\n\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
    }

    private func consents(_ req: Request) -> CardApplicationConsents {
        CardApplicationConsents(database: req.db, now: req.now)
    }

    @Sendable
    func consentPage(req: Request) async throws -> View {
        let documents = try await consents(req).current().map { Self.documentView($0, req.locale) }
        return try await req.view.render("apply/consent", ConsentPage(documents: documents, error: nil))
    }

    struct AgreeForm: Content {
        var agree: String?
    }

    @Sendable
    func agree(req: Request) async throws -> Response {
        let documents = try await consents(req).current()
        guard try req.content.decode(AgreeForm.self).agree == "yes" else {
            let page = ConsentPage(documents: documents.map { Self.documentView($0, req.locale) }, error: req.t("apply.consent.required"))
            return try await req.view.render("apply/consent", page).encodeResponse(status: .unprocessableEntity, for: req)
        }
        // Remember exactly which versions were agreed to; the consent records are written with the application.
        req.session.data[Self.consentSessionKey] = try CardApplicationConsents.sessionValue(documents)
        return req.redirect(to: SiteURL.applicationForm.path, redirectType: .normal)
    }

    struct FormPage: Encodable {
        struct Partner: Encodable {
            let code: String
            let label: String
            let consent: ConsentPage.Document
            let linked: Bool
            let consented: Bool
            let error: String?
        }

        var values: [String: String]
        var errors: [String: String]
        var errorList: [ErrorItem]
        var partners: [Partner]
        /// 護照核發國家, by name in the page's language; the form posts the alpha-3 code.
        var passportCountries: [PassportCountries.Option]
        var alreadyRegistered: Bool
        /// Refused for too many attempts: the form comes back as typed, with when to try again.
        var tooManyAttempts: Bool
        /// The captcha's text alternative in words, when the person chose it instead of the picture.
        var captchaQuestion: String?
    }

    /// The fields of `apply/form.leaf`, top to bottom.
    static let fieldOrder: [String] = ["cardType", "householdNumber", "headOfHouseholdName", "headOfHouseholdIDNumber", "documentKind",
                             "idNumber", "passportCountry", "name", "gender", "birthDate", "password", "passwordConfirmation",
                             "mobile", "homePhone", "email"]
        + CardApplicationRules.linkablePartners.map { "partnerConsent\($0)" } + ["captcha"]

    struct ErrorItem: Encodable {
        let anchor: String
        let message: String
    }

    private func agreedDocuments(_ req: Request) async throws -> [ConsentDocument]? {
        try await consents(req).agreed(req.hasSession ? req.session.data[Self.consentSessionKey] : nil)
    }

    private func renderForm(_ req: Request, values: [String: String] = [:], errors: [FieldError] = [],
                            alreadyRegistered: Bool = false, tooManyAttempts: Bool = false,
                            status: HTTPStatus = .ok) async throws -> Response {
        var messages: [String: String] = [:]
        var list: [ErrorItem] = []
        // The summary lists the problems in the order the fields appear, so its first link is the first field.
        let ordered = errors.enumerated().sorted { lhs, rhs in
            let left = Self.fieldOrder.firstIndex(of: lhs.element.field) ?? Self.fieldOrder.count
            let right = Self.fieldOrder.firstIndex(of: rhs.element.field) ?? Self.fieldOrder.count
            return (left, lhs.offset) < (right, rhs.offset)
        }.map(\.element)
        for error in ordered where messages[error.field] == nil {
            let message = req.t("apply.error.\(error.code)")
            messages[error.field] = message
            list.append(.init(anchor: "#\(error.field)", message: message))
        }
        var partners: [FormPage.Partner] = []
        for (code, document) in try await consents(req).partnerStatements(libraryCode: Self.libraryCode) {
            partners.append(.init(code: code, label: req.t("apply.field.link\(code)"), consent: Self.documentView(document, req.locale),
                                  linked: values["link\(code)"] == "yes", consented: values["consent\(code)"] == "yes",
                                  error: messages["partnerConsent\(code)"]))
        }
        var shown = values
        if shown["cardType"] == nil { shown["cardType"] = "personal" }
        if shown["documentKind"] == nil { shown["documentKind"] = "nationalID" }
        // The picture issues its challenge when the browser fetches it; the question is issued with the page.
        var question: String?
        if req.session.data[Self.captchaModeSessionKey] == Self.captchaQuestionMode {
            let challenge = CaptchaQuestion.random()
            // The token first: it may write the session, which `issue` holds for its whole call.
            let csrfToken = req.csrfToken
            try await captchaChallenges(req).issue(answer: challenge.answer, in: &req.session.data, csrfToken: csrfToken)
            question = challenge.text { req.t($0, $1) }
        }
        let page = FormPage(values: shown, errors: messages, errorList: list, partners: partners,
                            passportCountries: PassportCountries.all.options(in: req.locale, chosen: values["passportCountry"]),
                            alreadyRegistered: alreadyRegistered, tooManyAttempts: tooManyAttempts, captchaQuestion: question)
        return try await req.view.render("apply/form", page).encodeResponse(status: status, for: req)
    }

    private func captchaChallenges(_ req: Request) -> Captcha {
        Captcha(database: req.db, now: req.now)
    }

    struct FormQuery: Content {
        /// `question` switches the captcha to its text alternative, `picture` back; the choice stays for the session.
        var captcha: String?
    }

    @Sendable
    func formPage(req: Request) async throws -> Response {
        guard try await agreedDocuments(req) != nil else { return req.redirect(to: SiteURL.service(.cardApplication).path) }
        switch try req.query.decode(FormQuery.self).captcha {
        case Self.captchaQuestionMode: req.session.data[Self.captchaModeSessionKey] = Self.captchaQuestionMode
        case "picture": req.session.data[Self.captchaModeSessionKey] = nil
        default: break
        }
        return try await renderForm(req)
    }

    @Sendable
    func captcha(req: Request) async throws -> Response {
        let answer = req.application.settings.captchaTestAnswer ?? String((0..<5).map { _ in Character(String(Int.random(in: 0...9))) })
        let csrfToken = req.csrfToken
        try await captchaChallenges(req).issue(answer: answer, in: &req.session.data, csrfToken: csrfToken)
        var headers = HTTPHeaders()
        headers.contentType = .png
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return Response(status: .ok, headers: headers, body: .init(data: Data(CaptchaImage.png(for: answer))))
    }

    @Sendable
    func submit(req: Request) async throws -> Response {
        guard let documents = try await agreedDocuments(req) else { return req.redirect(to: SiteURL.service(.cardApplication).path) }
        let form = try req.content.decode(CardApplicationForm.self)
        var captchaErrors: [FieldError] = []
        if Captcha.normalized(form.captcha ?? "").isEmpty {
            // Nothing typed is a missing field, not a wrong answer; the challenge stays for the next try.
            captchaErrors.append(FieldError(field: "captcha", code: "captcha_required"))
        } else {
            var outcome = Captcha.Outcome.expired
            if req.hasSession {
                outcome = try await captchaChallenges(req).verify(form.captcha ?? "", in: &req.session.data, csrfToken: req.csrfToken)
            }
            switch outcome {
            case .correct: break
            case .wrong: captchaErrors.append(FieldError(field: "captcha", code: "captcha_wrong"))
            case .expired: captchaErrors.append(FieldError(field: "captcha", code: "captcha_expired"))
            }
        }
        let service = req.cardApplications
        do {
            // Every field is checked even when the captcha failed, so the person fixes everything at once.
            let submitted = try await service.submit(
                form.toInput(), libraryCode: Self.libraryCode, consentedDocuments: documents, channel: "web",
                locale: req.locale, actor: .anonymous(ipAddress: req.clientAddress), limits: .web(ipAddress: req.clientAddress),
                additionalErrors: captchaErrors, knownPassportCountries: PassportCountries.all.codes)
            req.session.data[Self.consentSessionKey] = nil
            req.session.data[Self.doneSessionKey] = submitted.patron.applicationNumber
            return req.redirect(to: SiteURL.applicationDone.path, redirectType: .normal)
        } catch CardApplicationError.alreadyRegistered {
            return try await renderForm(req, values: form.keptValues, alreadyRegistered: true, status: .conflict)
        } catch CardApplicationError.invalid(let errors) {
            return try await renderForm(req, values: form.keptValues, errors: errors, status: .unprocessableEntity)
        } catch CardApplicationError.tooManyAttempts {
            return try await renderForm(req, values: form.keptValues, tooManyAttempts: true, status: .tooManyRequests)
        }
    }

    @Sendable
    func done(req: Request) async throws -> Response {
        guard req.hasSession, let number = req.session.data[Self.doneSessionKey],
              let page = try await ApplicationDonePage.query(
                applicationNumber: number, locale: req.locale,
                pendingApplicationLifetimeDays: req.application.settings.pendingApplicationLifetimeDays, database: req.db)
        else {
            return req.redirect(to: SiteURL.service(.cardApplication).path)
        }
        return try await req.view.render("apply/done", page).encodeResponse(for: req)
    }
}
