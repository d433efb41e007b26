import Fluent
import OneCardDomain
import Vapor

/// An administrator's own library (issue #14 item 6): its service desks and the partner services it
/// offers. Every change goes through `LibraryAdministration`, which audits it.
struct LibraryAdministrationController: RouteCollection {
    static let roles: Set<StaffMember.Role> = [.admin]
    static let notices: Set<String> = ["desk_added", "desk_renamed", "desk_closed", "desk_reopened", "service_offered", "service_withdrawn"]

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staffLibrary, use: index)
        routes.post(.staffLibraryDesks, maximumBytes: .form, use: addDesk)
        routes.post(.staffLibraryDesk(id: .key), maximumBytes: .form, use: renameDesk)
        routes.post(.staffLibraryDeskClose(id: .key), maximumBytes: .form, use: closeDesk)
        routes.post(.staffLibraryDeskReopen(id: .key), maximumBytes: .form, use: reopenDesk)
        routes.post(.staffLibraryServices, maximumBytes: .form, use: offer)
        routes.post(.staffLibraryServiceWithdraw(id: .key), maximumBytes: .form, use: withdraw)
    }

    struct DeskForm: Content {
        var code: String?
        var nameZH: String?
        var nameEN: String?
    }

    struct OfferForm: Content {
        var partner: String?
    }

    private func administration(_ req: Request) -> LibraryAdministration {
        LibraryAdministration(database: req.db, directory: req.application.consortiumDirectory, now: req.now)
    }

    @Sendable
    func index(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        var page = try await LibraryAdministrationPage.query(libraryID: staff.$library.id, locale: req.locale, on: req.db)
        page.notice = req.query[String.self, at: "done"].flatMap { Self.notices.contains($0) ? "staff.library.done.\($0)" : nil }
        return try await req.view.render("staff/library", page).encodeResponse(for: req)
    }

    @Sendable
    func addDesk(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let form = try req.content.decode(DeskForm.self)
        do {
            _ = try await administration(req).addDesk(code: form.code ?? "", names: .init(zh: form.nameZH ?? "", en: form.nameEN ?? ""),
                                                      to: staff.$library.id, by: .staff(staff.requireID(), ipAddress: req.clientAddress))
        } catch let error as LibraryAdministrationError {
            return try await refused(req, staff) { page in
                page.form = Self.formState(typed: ["code": form.code, "nameZH": form.nameZH, "nameEN": form.nameEN], error: error, req: req)
            }
        }
        return req.redirect(to: SiteURL.staffLibrary.path + "?done=desk_added", redirectType: .normal)
    }

    @Sendable
    func renameDesk(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        guard let id = req.parameters.get("id", as: UUID.self) else { throw OneCardError.notFound }
        let form = try req.content.decode(DeskForm.self)
        let administration = administration(req)
        let desk = try await administration.desk(id, in: staff.$library.id)
        do {
            try await administration.renameDesk(id, names: .init(zh: form.nameZH ?? "", en: form.nameEN ?? ""), in: staff.$library.id,
                                                by: .staff(staff.requireID(), ipAddress: req.clientAddress))
        } catch let error as LibraryAdministrationError {
            return try await refused(req, staff) { page in
                if let index = page.desks.firstIndex(where: { $0.code == desk.code }) {
                    page.desks[index].form = Self.formState(typed: ["nameZH": form.nameZH, "nameEN": form.nameEN], error: error, req: req)
                }
            }
        }
        return req.redirect(to: SiteURL.staffLibrary.path + "?done=desk_renamed", redirectType: .normal)
    }

    @Sendable
    func closeDesk(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        guard let id = req.parameters.get("id", as: UUID.self) else { throw OneCardError.notFound }
        do {
            try await administration(req).closeDesk(id, in: staff.$library.id, by: .staff(staff.requireID(), ipAddress: req.clientAddress))
        } catch let error as LibraryAdministrationError {
            return try await refused(req, staff) { page in
                page.closeError = error.fieldErrors.first.map { req.t("staff.library.error.\($0.code)") }
            }
        }
        return req.redirect(to: SiteURL.staffLibrary.path + "?done=desk_closed", redirectType: .normal)
    }

    @Sendable
    func reopenDesk(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        guard let id = req.parameters.get("id", as: UUID.self) else { throw OneCardError.notFound }
        try await administration(req).reopenDesk(id, in: staff.$library.id, by: .staff(staff.requireID(), ipAddress: req.clientAddress))
        return req.redirect(to: SiteURL.staffLibrary.path + "?done=desk_reopened", redirectType: .normal)
    }

    @Sendable
    func offer(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let form = try req.content.decode(OfferForm.self)
        do {
            try await administration(req).offer(partnerCode: form.partner ?? "", by: staff.$library.id,
                                                actor: .staff(staff.requireID(), ipAddress: req.clientAddress))
        } catch let error as LibraryAdministrationError {
            return try await refused(req, staff) { page in
                page.offerError = error.fieldErrors.first.map { req.t("staff.library.error.\($0.code)") }
            }
        }
        return req.redirect(to: SiteURL.staffLibrary.path + "?done=service_offered", redirectType: .normal)
    }

    @Sendable
    func withdraw(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        guard let id = req.parameters.get("id", as: UUID.self) else { throw OneCardError.notFound }
        try await administration(req).withdraw(id, by: staff.$library.id, actor: .staff(staff.requireID(), ipAddress: req.clientAddress))
        return req.redirect(to: SiteURL.staffLibrary.path + "?done=service_withdrawn", redirectType: .normal)
    }

    /// A refused form as typed, with each field's message (the first one per field).
    static func formState(typed: [String: String?], error: LibraryAdministrationError, req: Request) -> FormState {
        var state = FormState(values: typed.compactMapValues { $0?.trimmingCharacters(in: .whitespacesAndNewlines) })
        for fieldError in error.fieldErrors where state.errors[fieldError.field] == nil {
            state.errors[fieldError.field] = req.t("staff.library.error.\(fieldError.code)")
        }
        return state
    }

    /// The library page again, answered 422, with what `note` writes of the refusal beside the form that was sent.
    private func refused(_ req: Request, _ staff: StaffMember,
                         note: (inout LibraryAdministrationPage.Model) -> Void) async throws -> Response {
        var page = try await LibraryAdministrationPage.query(libraryID: staff.$library.id, locale: req.locale, on: req.db)
        note(&page)
        return try await req.view.render("staff/library", page).encodeResponse(status: .unprocessableEntity, for: req)
    }
}
