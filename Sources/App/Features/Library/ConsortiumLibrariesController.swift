import Fluent
import Vapor

/// The consortium administrator's member libraries (issue #14 item 6): the list and a form to add one.
/// A new library appears in the directory (home page, `/api/v1/libraries`) at once.
struct ConsortiumLibrariesController: RouteCollection {
    static let roles: Set<StaffMember.Role> = [.consortiumAdmin]

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staffLibraries, use: index)
        routes.post(.staffLibraries, maximumBytes: .form, use: add)
    }

    struct AddForm: Content {
        var code: String?
        var nameZH: String?
        var nameEN: String?
        var cardPrefix: String?
    }

    @Sendable
    func index(req: Request) async throws -> Response {
        _ = try await req.requireStaff(Self.roles)
        var page = try await ConsortiumLibrariesPage.query(locale: req.locale, on: req.db)
        page.added = req.query[String.self, at: "added"].flatMap { code in page.rows.contains { $0.code == code } ? code : nil }
        return try await req.view.render("staff/libraries", page).encodeResponse(for: req)
    }

    @Sendable
    func add(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let form = try req.content.decode(AddForm.self)
        let administration = LibraryAdministration(database: req.db, directory: req.application.consortiumDirectory, now: req.now)
        let library: Library
        do {
            library = try await administration.addLibrary(
                .init(code: form.code ?? "", names: .init(zh: form.nameZH ?? "", en: form.nameEN ?? ""), cardPrefix: form.cardPrefix ?? ""),
                by: .staff(staff.requireID(), ipAddress: req.clientAddress))
        } catch let error as LibraryAdministrationError {
            var page = try await ConsortiumLibrariesPage.query(locale: req.locale, on: req.db)
            page.form = LibraryAdministrationController.formState(
                typed: ["code": form.code, "nameZH": form.nameZH, "nameEN": form.nameEN, "cardPrefix": form.cardPrefix], error: error, req: req)
            return try await req.view.render("staff/libraries", page).encodeResponse(status: .unprocessableEntity, for: req)
        }
        return req.redirect(to: SiteURL.staffLibraries.path + "?added=\(library.code)", redirectType: .normal)
    }
}
