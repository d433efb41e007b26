import Fluent
import OneCardDomain
import Vapor

/// 數位借閱證 for individuals: the service page with the eligibility check (ID number first, so nobody
/// uploads documents for nothing) → the application with identity documents, or with a citizen
/// digital certificate → done; and the correction (補件) page the returned-application email links to.
struct DigitalCardController: RouteCollection {
    static let idSessionKey = "digital_card_id"
    /// The eligible ID number waits in the session between the first step and the form. Sessions live in the
    /// database, so it is sealed there like every other ID number.
    static let idSessionContext = "session.digital_card_id"
    static let doneSessionKey = "digital_card_done"
    static let nonceSessionKey = "digital_card_nonce"

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.service(.digitalCard), use: start)
        routes.post(.service(.digitalCard), maximumBytes: .form, use: checkEligibility)
        routes.get(.digitalCardForm, use: formPage)
        // Documents are received only from someone who passed the eligibility check in this session.
        routes.post(.digitalCardForm, maximumBytes: .identityDocuments,
                    beforeReading: BodyGate { req in eligibleID(req) != nil }, use: submit)
        routes.get(.digitalCardCertificate, use: certificatePage)
        routes.post(.digitalCardCertificate, maximumBytes: .certificateForm, use: submitCertificate)
        routes.get(.digitalCardDone, use: done)
        routes.get(.digitalCardCorrection, use: correctionPage)
        routes.post(.digitalCardCorrection, maximumBytes: .identityDocuments, use: resubmit)
    }

    // MARK: Eligibility

    struct StartPage: Encodable {
        var idNumber = ""
        var error: String?
        /// `foreign_resident` or `already_holds_card`: a whole explanation instead of a field error.
        var stop: String?
        var points: [String]
    }

    private func points(_ req: Request) -> [String] {
        (1...4).map { "service.digital_card.point\($0)" }
    }

    @Sendable
    func start(req: Request) async throws -> View {
        try await req.view.render("digital/start", StartPage(points: points(req)))
    }

    struct EligibilityForm: Content {
        var idNumber: String?
    }

    @Sendable
    func checkEligibility(req: Request) async throws -> Response {
        let raw = try req.content.decode(EligibilityForm.self).idNumber ?? ""
        var page = StartPage(idNumber: raw, points: points(req))
        do {
            let identity = try await req.digitalCards
                .checkEligibility(raw, ipAddress: req.clientAddress)
            req.session.data[Self.idSessionKey] = try req.application.vault.seal(identity.value, context: Self.idSessionContext)
            return req.redirect(to: SiteURL.digitalCardForm.path, redirectType: .normal)
        } catch DigitalCardError.invalid(let errors) {
            page.error = req.t("apply.error.\(errors.first?.code ?? "id_empty")")
            return try await req.view.render("digital/start", page).encodeResponse(status: .unprocessableEntity, for: req)
        } catch DigitalCardError.foreignResident {
            page.stop = "foreign_resident"
            return try await req.view.render("digital/start", page).encodeResponse(status: .conflict, for: req)
        } catch DigitalCardError.alreadyHoldsCard {
            page.stop = "already_holds_card"
            return try await req.view.render("digital/start", page).encodeResponse(status: .conflict, for: req)
        }
    }

    // MARK: The application with documents

    struct FormPage: Encodable {
        struct Upload: Encodable {
            let field: String
            let labelKey: String
            let hintKey: String
            let error: String?
        }

        var idNumber: String
        var values: [String: String]
        var errors: [String: String]
        var errorList: [CardApplicationController.ErrorItem]
        var uploads: [Upload]
        var consent: CardApplicationController.ConsentPage.Document
        var certificateAvailable: Bool
        var nonce: String = ""
        /// Where the page's script finds the card-reader component.
        var componentOrigin: String = CitizenCertificateNonce.componentOrigin
        var stop: String?
    }

    struct ApplicationForm: Content {
        var name: String?
        var birthDate: String?
        var email: String?
        var mobile: String?
        var password: String?
        var passwordConfirmation: String?
        var noIDCard: String?
        var guardianName: String?
        var guardianRelation: String?
        var agree: String?
        var idFront: File?
        var idBack: File?
        var householdRegister: File?
        var guardianIDFront: File?
        var guardianIDBack: File?
        // The certificate path.
        var certificate: String?
        var signature: String?

        func input(idNumber: String) -> DigitalCardInput {
            var input = DigitalCardInput()
            input.idNumber = idNumber
            input.name = name ?? ""
            input.birthDate = birthDate ?? ""
            input.email = email ?? ""
            input.mobile = mobile ?? ""
            input.password = password ?? ""
            input.passwordConfirmation = passwordConfirmation ?? ""
            input.hasIDCard = noIDCard != "yes"
            input.guardianName = guardianName ?? ""
            input.guardianRelation = guardianRelation ?? ""
            return input
        }

        var uploads: [DigitalCardService.Upload] {
            let files: [(IdentityDocumentSlot, File?)] = [(.idFront, idFront), (.idBack, idBack), (.householdRegister, householdRegister),
                                                          (.guardianIDFront, guardianIDFront), (.guardianIDBack, guardianIDBack)]
            return files.compactMap { slot, file in
                guard let file, file.data.readableBytes > 0 else { return nil }
                return .init(slot: slot, bytes: Array(file.data.readableBytesView))
            }
        }

        /// What the form shows again after an error: never the passwords or the files.
        var kept: [String: String] {
            ["name": name ?? "", "birthDate": birthDate ?? "", "email": email ?? "", "mobile": mobile ?? "",
             "noIDCard": noIDCard ?? "", "guardianName": guardianName ?? "", "guardianRelation": guardianRelation ?? "",
             "agree": agree ?? ""]
        }
    }

    static let uploadSlots: [(IdentityDocumentSlot, String)] = [
        (.idFront, "digital.upload.id_front"), (.idBack, "digital.upload.id_back"),
        (.householdRegister, "digital.upload.household_register"),
        (.guardianIDFront, "digital.upload.guardian_id_front"), (.guardianIDBack, "digital.upload.guardian_id_back"),
    ]

    /// The file inputs for `slots` (all when nil), in the form's order, with their errors.
    static func uploads(_ slots: [IdentityDocumentSlot]?, messages: [String: String]) -> [FormPage.Upload] {
        uploadSlots.filter { slots?.contains($0.0) ?? true }.map { slot, key in
            FormPage.Upload(field: slot.field, labelKey: key, hintKey: key + "_hint", error: messages[slot.field])
        }
    }

    private func render(_ template: String, _ req: Request, idNumber: String, values: [String: String] = [:], errors: [FieldError] = [],
                        stop: String? = nil, status: HTTPStatus = .ok, slots: [IdentityDocumentSlot]? = nil) async throws -> Response {
        let consent = try await req.digitalCards.consentDocument()
        // A missing tick names the statement this page shows (NLPI's, on both paths) by its title.
        let documents = ["documents": req.application.localizer.consentTitles([consent], in: req.locale)]
        var messages: [String: String] = [:]
        var list: [CardApplicationController.ErrorItem] = []
        for error in errors where messages[error.field] == nil {
            let message = req.t("apply.error.\(error.code)", error.code == "consent_required" ? documents : [:])
            messages[error.field] = message
            list.append(.init(anchor: "#\(error.field)", message: message))
        }
        let uploads = Self.uploads(slots, messages: messages)
        var page = FormPage(idNumber: idNumber, values: values, errors: messages, errorList: list, uploads: uploads,
                            consent: CardApplicationController.documentView(consent, req.locale),
                            certificateAvailable: req.application.citizenCertificates.verifier != nil, stop: stop)
        if template == "digital/certificate" {
            // A fresh nonce for every page: the card signs it, and it is good for one submission only.
            let nonce = Data(CitizenCertificateNonce.make()).base64EncodedString()
            req.session.data[Self.nonceSessionKey] = nonce
            page.nonce = nonce
            // The page's script probes the card-reader component on the applicant's own computer.
            req.connectSources = [CitizenCertificateNonce.componentOrigin]
        }
        return try await req.view.render(template, page).encodeResponse(status: status, for: req)
    }

    private func eligibleID(_ req: Request) -> String? {
        guard req.hasSession, let sealed = req.session.data[Self.idSessionKey] else { return nil }
        return try? req.application.vault.open(sealed, context: Self.idSessionContext)
    }

    @Sendable
    func formPage(req: Request) async throws -> Response {
        guard let id = eligibleID(req) else { return req.redirect(to: SiteURL.service(.digitalCard).path) }
        return try await render("digital/form", req, idNumber: id)
    }

    @Sendable
    func submit(req: Request) async throws -> Response {
        guard let id = eligibleID(req) else { return req.redirect(to: SiteURL.service(.digitalCard).path) }
        let form = try req.content.decode(ApplicationForm.self)
        return try await finish(req, template: "digital/form", id: id, form: form) { service in
            try await service.submitWithDocuments(form.input(idNumber: id), uploads: form.uploads, locale: req.locale,
                                                  ipAddress: req.clientAddress)
        }
    }

    /// Runs a submission and turns every refusal into the form again, with the reason where it belongs.
    private func finish(_ req: Request, template: String, id: String, form: ApplicationForm,
                        _ submit: (DigitalCardService) async throws -> DigitalCardApplication) async throws -> Response {
        let service = req.digitalCards
        guard form.agree == "yes" else {
            // Every other field is still checked, so the person fixes everything at once.
            var errors = [FieldError(field: "agree", code: "consent_required")]
            errors += service.fieldErrors(form.input(idNumber: id), needsDocuments: form.certificate == nil, sent: Set(form.uploads.map(\.slot)))
            return try await render(template, req, idNumber: id, values: form.kept, errors: errors, status: .unprocessableEntity)
        }
        do {
            let application = try await submit(service)
            req.session.data[Self.idSessionKey] = nil
            req.session.data[Self.nonceSessionKey] = nil
            req.session.data[Self.doneSessionKey] = application.id!.uuidString
            return req.redirect(to: SiteURL.digitalCardDone.path, redirectType: .normal)
        } catch DigitalCardError.invalid(let errors) {
            return try await render(template, req, idNumber: id, values: form.kept, errors: errors, status: .unprocessableEntity)
        } catch DigitalCardError.alreadyHoldsCard {
            return try await render(template, req, idNumber: id, values: form.kept, stop: "already_holds_card", status: .conflict)
        } catch DigitalCardError.certificate(let code) {
            return try await render(template, req, idNumber: id, values: form.kept,
                                    errors: [FieldError(field: "certificate", code: code)], status: .unprocessableEntity)
        }
    }

    // MARK: The citizen certificate

    @Sendable
    func certificatePage(req: Request) async throws -> Response {
        guard let id = eligibleID(req) else { return req.redirect(to: SiteURL.service(.digitalCard).path) }
        return try await render("digital/certificate", req, idNumber: id, slots: [])
    }

    @Sendable
    func submitCertificate(req: Request) async throws -> Response {
        guard let id = eligibleID(req) else { return req.redirect(to: SiteURL.service(.digitalCard).path) }
        let form = try req.content.decode(ApplicationForm.self)
        // The nonce is taken from the session and forgotten at once: a signature is good for one try.
        let nonce = req.session.data[Self.nonceSessionKey].flatMap { Data(base64Encoded: $0) }
        req.session.data[Self.nonceSessionKey] = nil
        return try await finish(req, template: "digital/certificate", id: id, form: form) { service in
            guard let nonce else { throw DigitalCardError.certificate(code: "citizen_cert_nonce_missing") }
            // The chain may be empty: a CMS signature from the card's component carries the certificate itself.
            guard let chain = CitizenCertificateNonce.chain(from: form.certificate ?? ""),
                  let signature = Data(base64Encoded: (form.signature ?? "").filter { !$0.isWhitespace })
            else { throw DigitalCardError.certificate(code: "citizen_cert_malformed") }
            return try await service.submitWithCertificate(form.input(idNumber: id), chain: chain, signature: Array(signature),
                                                           nonce: Array(nonce), locale: req.locale, ipAddress: req.clientAddress)
        }
    }

    // MARK: Done

    struct DonePage: Encodable {
        let applicationNumber: String
        let active: Bool
        let cardNumber: String?
        let dueOn: String
        let email: String
    }

    @Sendable
    func done(req: Request) async throws -> Response {
        guard req.hasSession, let raw = req.session.data[Self.doneSessionKey], let id = UUID(uuidString: raw),
              let application = try await req.digitalCards.submitted(id)
        else { return req.redirect(to: SiteURL.service(.digitalCard).path) }
        let patron = application.patron
        return try await req.view.render("digital/done", DonePage(
            applicationNumber: patron.applicationNumber, active: patron.status == .active, cardNumber: patron.cardNumber,
            dueOn: DisplayTime.day(iso: application.dueOn, in: req.locale), email: patron.email ?? "")).encodeResponse(for: req)
    }

    // MARK: 補件

    struct CorrectionPage: Encodable {
        let token: String
        let reason: String
        let uploads: [FormPage.Upload]
        let errorList: [CardApplicationController.ErrorItem]
    }

    private func renderCorrection(_ req: Request, token: String, application: DigitalCardApplication, errors: [FieldError] = [],
                                  status: HTTPStatus = .ok) async throws -> Response {
        let set = DigitalCardDocumentSet(rawValue: application.documentSet) ?? .idCard
        var messages: [String: String] = [:]
        for error in errors where messages[error.field] == nil { messages[error.field] = req.t("apply.error.\(error.code)") }
        let uploads = Self.uploads(set.requiredDocuments, messages: messages)
        let list = errors.map { CardApplicationController.ErrorItem(anchor: "#\($0.field)", message: req.t("apply.error.\($0.code)")) }
        return try await req.view.render("digital/correction", CorrectionPage(
            token: token, reason: application.decisionReason ?? "", uploads: uploads, errorList: list)).encodeResponse(status: status, for: req)
    }

    @Sendable
    func correctionPage(req: Request) async throws -> Response {
        let token = req.query[String.self, at: "token"] ?? ""
        let application = try await req.digitalCards
            .application(forCorrectionToken: token)
        return try await renderCorrection(req, token: token, application: application)
    }

    struct CorrectionForm: Content {
        var token: String?
        var idFront: File?
        var idBack: File?
        var householdRegister: File?
        var guardianIDFront: File?
        var guardianIDBack: File?
    }

    @Sendable
    func resubmit(req: Request) async throws -> Response {
        let form = try req.content.decode(CorrectionForm.self)
        let token = form.token ?? ""
        let service = req.digitalCards
        let application = try await service.application(forCorrectionToken: token)
        var files = ApplicationForm()
        files.idFront = form.idFront
        files.idBack = form.idBack
        files.householdRegister = form.householdRegister
        files.guardianIDFront = form.guardianIDFront
        files.guardianIDBack = form.guardianIDBack
        do {
            let resubmitted = try await service.resubmit(token: token, uploads: files.uploads, ipAddress: req.clientAddress)
            req.session.data[Self.doneSessionKey] = resubmitted.id!.uuidString
            return req.redirect(to: SiteURL.digitalCardDone.path, redirectType: .normal)
        } catch DigitalCardError.invalid(let errors) {
            return try await renderCorrection(req, token: token, application: application, errors: errors, status: .unprocessableEntity)
        }
    }
}
