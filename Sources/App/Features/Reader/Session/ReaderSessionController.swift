import Fluent
import OneCardDomain
import Vapor

/// Reader sign-in (登入) with a card number, ID number or bound EasyCard/iPASS and a password;
/// separate from staff sign-in.
struct ReaderSessionController: RouteCollection {
    static let sessionKey = "patron_id"

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.service(.signIn), use: form)
        routes.post(.service(.signIn), use: signIn)
        routes.post(.readerSignOut, use: signOut)
        routes.get(.myHome, use: home)
        routes.get(.account, use: account)
        routes.get(.accountData, use: download)
    }

    struct SignInPage: Encodable {
        var form: FormState
        var notice: String? = nil
        /// Offers 以台北通登入 when a Taipei Pass provider is configured.
        var taipeiPass = false
        /// Why the last trip to Taipei Pass did not sign in (`?taipei_pass=`).
        var problem: String? = nil
    }

    struct SignInForm: Content {
        var identifier: String?
        var password: String?
    }

    @Sendable
    func form(req: Request) async throws -> View {
        let notices = ["password_reset": "reader.sign_in.reset_done", "card_activated": "reader.sign_in.card_activated"]
        let notice = req.query[String.self, at: "notice"].flatMap { notices[$0] }.map { req.t($0) }
        // Back from Taipei Pass without signing in (not linked, cancelled, …): say why above the form.
        let problem = req.query[String.self, at: "taipei_pass"].flatMap(TaipeiPassFailure.init(rawValue:)).map { req.t($0.messageKey) }
        return try await req.view.render("reader/sign-in", SignInPage(form: FormState(), notice: notice, taipeiPass: offersTaipeiPass(req),
                                                                      problem: problem))
    }

    @Sendable
    func signIn(req: Request) async throws -> Response {
        let form = try req.content.decode(SignInForm.self)
        let identifier = (form.identifier ?? "").trimmingCharacters(in: .whitespaces)
        let password = form.password ?? ""
        var state = FormState(values: ["identifier": identifier])
        if identifier.isEmpty { state.errors["identifier"] = req.t("reader.sign_in.identifier_required") }
        if password.isEmpty { state.errors["password"] = req.t("reader.sign_in.password_required") }
        if state.hasErrors {
            return try await req.view.render("reader/sign-in", SignInPage(form: state, taipeiPass: offersTaipeiPass(req)))
                .encodeResponse(status: .unprocessableEntity, for: req)
        }
        let patron = try await PatronDirectory(vault: req.application.vault, database: req.db).activePatron(identifier: identifier)
        let throttle = SignInThrottle(database: req.db, now: req.now, delayUnit: req.application.settings.signInDelayUnit)
        let bucket = "signin:patron:\(patron?.id?.uuidString ?? "unknown")"
        var locked = false
        if patron != nil { locked = try await throttle.isLocked(bucket) }
        let verified = try await req.password.async.verify(password, created: patron?.passwordHash ?? req.application.decoyPasswordHash)
        guard let patron, verified, !locked else {
            var delay: TimeInterval = 0
            if let patron {
                delay = try await throttle.recordFailure(bucket)
                try await AuditTrail.record("reader.sign_in_failed", by: .anonymous(ipAddress: req.clientAddress),
                                            subject: ("patron", patron.id!.uuidString), libraryID: patron.$library.id,
                                            details: ["locked": locked ? "yes" : "no"], at: req.now, on: req.db)
            }
            if delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000)) }
            // One message for every failure: it must not tell whether the account exists or is locked.
            state.errors["form"] = req.t("reader.sign_in.failed")
            return try await req.view.render("reader/sign-in", SignInPage(form: state, taipeiPass: offersTaipeiPass(req)))
                .encodeResponse(status: .unauthorized, for: req)
        }
        try await AuditTrail.record("reader.signed_in", by: AuditActor(type: "reader", id: patron.id!.uuidString, ipAddress: req.clientAddress),
                                    subject: ("patron", patron.id!.uuidString), libraryID: patron.$library.id, at: req.now, on: req.db)
        try await req.rotateSession()
        req.session.data[Self.sessionKey] = patron.id!.uuidString
        return req.redirect(to: SiteURL.myHome.path, redirectType: .normal)
    }

    private func offersTaipeiPass(_ req: Request) -> Bool { req.application.settings.taipeiPass != nil }

    @Sendable
    func signOut(req: Request) async throws -> Response {
        req.session.destroy()
        return req.redirect(to: SiteURL.service(.signIn).path, redirectType: .normal)
    }

    struct HomePage: Encodable {
        let name: String
        let cardNumber: String
        let library: String
        let digital: Bool
        /// What to do about a suspended or expired card; nil in good standing.
        let standingNotice: String?
        let validUntil: String?
    }

    /// A suspended or expired card's notice for the reader, with what to do; nil in good standing.
    static func standingNotice(_ patron: Patron, _ req: Request) -> String? {
        switch patron.standing(at: req.now) {
        case .suspended?:
            req.t("reader.standing.suspended", ["since": patron.suspendedAt.map { CalendarDay(date: $0, timeZone: .taipei).iso } ?? "",
                                                "reason": patron.suspensionReason ?? ""])
        case .expired?:
            req.t("reader.standing.expired", ["date": patron.cardValidUntil ?? ""])
        case .good?, nil:
            nil
        }
    }

    /// 我的主頁: where sign-in lands (the seed's step 二) and the way to 我的帳戶.
    @Sendable
    func home(req: Request) async throws -> Response {
        guard let patron = try await req.signedInPatron() else { return req.redirect(to: SiteURL.service(.signIn).path) }
        let page = HomePage(name: patron.name, cardNumber: patron.cardNumber ?? "",
                            library: patron.library.name(in: req.locale), digital: patron.cardKind == .digital,
                            standingNotice: Self.standingNotice(patron, req), validUntil: patron.cardValidUntil)
        return try await req.view.render("reader/home", page).encodeResponse(for: req)
    }

    struct AccountPage: Encodable {
        struct Consent: Encodable {
            let id: String
            let title: String
            let version: Int
            let givenAt: String
            let withdrawn: Bool
            /// The card's own privacy statement: withdrawing it asks for erasure, and the button says so.
            let endsCard: Bool
        }

        let name: String
        let cardNumber: String
        let maskedID: String
        let library: String
        let email: String?
        let mobile: String?
        let partners: [String]
        let consents: [Consent]
        let notice: String?
        let pendingRequests: [String]
    }

    static let notices: Set<String> = ["password_changed", "contact_changed", "name_change_requested", "deletion_requested", "consent_withdrawn"]

    /// 我的帳戶: the reader's own data (ID masked) and the consents they gave, with versions and dates.
    @Sendable
    func account(req: Request) async throws -> Response {
        guard let patron = try await req.signedInPatron(), let id = patron.id else {
            return req.redirect(to: SiteURL.service(.signIn).path)
        }
        let idNumber = try patron.idNumberSealed.map { try req.application.vault.open($0, context: CardApplicationService.idNumberContext) }
        let kind = patron.documentKind.flatMap(IdentityDocumentKind.init(rawValue:))
        let masked = idNumber.flatMap { try? IdentityNumber.parse($0, as: kind, issuingCountry: patron.passportCountry).get().masked } ?? "—"
        let records = try await ConsentRecord.query(on: req.db).filter(\.$patron.$id == id).with(\.$document).sort(\.$givenAt).all()
        let links = try await PartnerLink.query(on: req.db).filter(\.$patron.$id == id).filter(\.$status == .active).with(\.$partnerService).all()
        let page = AccountPage(
            name: patron.name, cardNumber: patron.cardNumber ?? "", maskedID: masked,
            library: patron.library.name(in: req.locale), email: patron.email, mobile: patron.mobile,
            partners: links.map { $0.partnerService.name(in: req.locale) },
            consents: records.map {
                .init(id: $0.id!.uuidString, title: $0.document.title(in: req.locale), version: $0.document.version,
                      givenAt: DeskController.dateTime($0.givenAt), withdrawn: $0.withdrawnAt != nil,
                      endsCard: $0.document.code.hasSuffix("_PRIVACY"))
            },
            notice: req.query[String.self, at: "notice"].flatMap { Self.notices.contains($0) ? req.t("reader.account.notice.\($0)") : nil },
            pendingRequests: try await PatronRequest.query(on: req.db).filter(\.$patron.$id == id).filter(\.$status == .pending).all()
                .map { req.t("reader.account.pending.\($0.kind.rawValue)") })
        return try await req.view.render("reader/account", page).encodeResponse(for: req)
    }

    /// 下載我的資料: everything OneCard holds about the signed-in reader, as JSON (the right of access).
    @Sendable
    func download(req: Request) async throws -> Response {
        guard let patron = try await req.signedInPatron(), let id = patron.id else {
            return req.redirect(to: SiteURL.service(.signIn).path)
        }
        let vault = req.application.vault
        let consents = try await ConsentRecord.query(on: req.db).filter(\.$patron.$id == id).with(\.$document).sort(\.$givenAt).all()
        let links = try await PartnerLink.query(on: req.db).filter(\.$patron.$id == id).with(\.$partnerService).all()
        let events = try await AuditEvent.query(on: req.db).filter(\.$subjectType == "patron").filter(\.$subjectID == id.uuidString)
            .sort(\.$occurredAt).all()
        let taipeiPass = try await TaipeiPassIdentity.query(on: req.db).filter(\.$patron.$id == id).first()
        let export = PersonalDataExportDTO(
            exportedAt: req.now,
            card: .init(cardNumber: patron.cardNumber, status: patron.status.rawValue, kind: patron.cardKind.rawValue,
                        type: patron.cardType, library: patron.library.code, applicationNumber: patron.applicationNumber,
                        appliedAt: patron.appliedAt, activatedAt: patron.activatedAt, validUntil: patron.cardValidUntil,
                        suspendedAt: patron.suspendedAt, suspensionReason: patron.suspensionReason),
            person: .init(name: patron.name, documentKind: patron.documentKind,
                          idNumber: try patron.idNumberSealed.map { try vault.open($0, context: CardApplicationService.idNumberContext) },
                          passportCountry: patron.passportCountry, gender: patron.gender, birthDate: patron.birthDate,
                          mobile: patron.mobile, homePhone: patron.homePhone, email: patron.email,
                          easyCard: try patron.easyCardSealed.map { try vault.open($0, context: CardActivationService.easyCardContext) }),
            consents: consents.map { .init(document: $0.document.code, title: $0.document.titleZH, version: $0.document.version,
                                           givenAt: $0.givenAt, channel: $0.channel, withdrawnAt: $0.withdrawnAt) },
            partnerLinks: links.map { .init(service: $0.partnerService.code, status: $0.status.rawValue, createdAt: $0.createdAt) },
            taipeiPass: taipeiPass.map { .init(issuer: $0.issuer, subject: $0.subject, linkedAt: $0.linkedAt, lastSignedInAt: $0.lastSignedInAt) },
            accessLog: events.map { .init(at: $0.occurredAt, action: $0.action, actorType: $0.actorType) })
        try await AuditTrail.record("patron.exported", by: AuditActor(type: "reader", id: id.uuidString, ipAddress: req.clientAddress),
                                    subject: ("patron", id.uuidString), libraryID: patron.$library.id, at: req.now, on: req.db)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"onecard-my-data.json\"")
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return Response(status: .ok, headers: headers, body: .init(data: try encoder.encode(export)))
    }
}
