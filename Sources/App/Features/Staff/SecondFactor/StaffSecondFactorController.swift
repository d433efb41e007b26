import Foundation
import Vapor

/// The second step of a reviewer's or administrator's sign-in (issue #14 item 6): enrolment of an
/// authenticator app the first time, a code from it (or a recovery code) every time after.
struct StaffSecondFactorController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staffSecondFactor, use: codeForm)
        routes.post(.staffSecondFactor, maximumBytes: .form, use: code)
        routes.get(.staffSecondFactorEnrol, use: enrolForm)
        routes.post(.staffSecondFactorEnrol, maximumBytes: .form, use: enrol)
    }

    struct CodeForm: Content {
        var code: String?
    }

    private func service(_ req: Request) -> StaffSecondFactor {
        StaffSecondFactor(database: req.db, vault: req.application.vault, now: req.now,
                          delayUnit: req.application.settings.signInDelayUnit, pause: req.application.signInPause)
    }

    /// Sends a visitor with nothing to do here to where they belong.
    private func elsewhere(_ req: Request) async throws -> Response {
        let signedIn = try await req.staffMember() != nil
        return req.redirect(to: (signedIn ? SiteURL.staffHome : SiteURL.staffSignIn).path, redirectType: .normal)
    }

    @Sendable
    func codeForm(req: Request) async throws -> Response {
        guard let staff = try await req.staffAwaitingSecondFactor() else { return try await elsewhere(req) }
        guard staff.totpConfirmedAt != nil else { return req.redirect(to: SiteURL.staffSecondFactorEnrol.path, redirectType: .normal) }
        return try await req.view.render("staff/second-factor", StaffSecondFactorPage(email: staff.email)).encodeResponse(for: req)
    }

    @Sendable
    func code(req: Request) async throws -> Response {
        guard let staff = try await req.staffAwaitingSecondFactor() else { return try await elsewhere(req) }
        let typed = try req.content.decode(CodeForm.self).code ?? ""
        do {
            try await service(req).verify(staff, code: typed, ipAddress: req.clientAddress)
        } catch let error as any UserFacingError where error is StaffSecondFactorError || error is AddressLimitError {
            var form = FormState()
            form.errors["code"] = req.t(error.messageKey, error.messageValues)
            return try await req.view.render("staff/second-factor", StaffSecondFactorPage(email: staff.email, form: form))
                .encodeResponse(status: HTTPErrorMapping.status(for: error), headers: HTTPErrorMapping.headers(for: error), for: req)
        }
        try await complete(req, staff)
        return req.redirect(to: SiteURL.staffHome.path, redirectType: .normal)
    }

    @Sendable
    func enrolForm(req: Request) async throws -> Response {
        guard let staff = try await req.staffAwaitingSecondFactor() else { return try await elsewhere(req) }
        guard staff.totpConfirmedAt == nil else { return req.redirect(to: SiteURL.staffSecondFactor.path, redirectType: .normal) }
        return try await enrolPage(req, staff, form: FormState(), status: .ok)
    }

    @Sendable
    func enrol(req: Request) async throws -> Response {
        guard let staff = try await req.staffAwaitingSecondFactor() else { return try await elsewhere(req) }
        guard staff.totpConfirmedAt == nil else { return req.redirect(to: SiteURL.staffSecondFactor.path, redirectType: .normal) }
        let typed = try req.content.decode(CodeForm.self).code ?? ""
        let codes: [String]
        do {
            codes = try await service(req).confirm(staff, code: typed, ipAddress: req.clientAddress)
        } catch let error as any UserFacingError where error is StaffSecondFactorError || error is AddressLimitError {
            var form = FormState()
            form.errors["code"] = req.t(error.messageKey, error.messageValues)
            return try await enrolPage(req, staff, form: form, status: HTTPErrorMapping.status(for: error),
                                       headers: HTTPErrorMapping.headers(for: error))
        }
        try await complete(req, staff)
        return try await req.view.render("staff/second-factor-codes", StaffSecondFactorPage(email: staff.email, recoveryCodes: codes))
            .encodeResponse(for: req)
    }

    private func enrolPage(_ req: Request, _ staff: StaffMember, form: FormState, status: HTTPResponseStatus,
                           headers: HTTPHeaders = [:]) async throws -> Response {
        let enrolment = try await service(req).enrolment(for: staff)
        let groups = stride(from: 0, to: enrolment.secret.count, by: 4).map { start in
            let from = enrolment.secret.index(enrolment.secret.startIndex, offsetBy: start)
            return String(enrolment.secret[from..<(enrolment.secret.index(from, offsetBy: 4, limitedBy: enrolment.secret.endIndex) ?? enrolment.secret.endIndex)])
        }.joined(separator: " ")
        let page = StaffSecondFactorPage(
            email: staff.email,
            enrolment: .init(secret: enrolment.secret, secretGroups: groups, uri: enrolment.uri,
                             qrImage: "data:image/png;base64," + Data(enrolment.qrPNG).base64EncodedString(),
                             qrPixels: enrolment.qrPixels),
            form: form)
        let response = try await req.view.render("staff/second-factor-enrol", page).encodeResponse(status: status, for: req)
        // The page holds the secret: no cache keeps it.
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        for (name, value) in headers { response.headers.replaceOrAdd(name: name, value: value) }
        return response
    }

    /// The factor is done: a fresh session id for the now fully signed-in account, marked as past its second factor.
    private func complete(_ req: Request, _ staff: StaffMember) async throws {
        try await req.rotateSession(keeping: [LocaleMiddleware.sessionKey, Request.staffSessionKey])
        req.session.data[Request.staffSecondFactorKey] = try staff.requireID().uuidString
    }
}
