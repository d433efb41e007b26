import Fluent
import OneCardDomain
import Vapor

/// 休館日: an administrator keeps the library's own closed days, which its due dates skip on top of the
/// government office calendar. The same change is `onecard calendar close|reopen` at the command line.
struct LibraryCalendarController: RouteCollection {
    static let roles: Set<StaffMember.Role> = [.admin]

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staffCalendar, use: page)
        routes.post(.staffCalendar, maximumBytes: .form, use: close)
        routes.post(.staffCalendarReopen(day: .key), maximumBytes: .form, use: reopen)
    }

    struct CloseForm: Content {
        var day: String?
        var reason: String?
    }

    @Sendable
    func page(req: Request) async throws -> View {
        let staff = try await req.requireStaff(Self.roles)
        var page = try await Self.page(for: staff, req: req)
        page.notice = req.query[String.self, at: "done"].flatMap { ["closed", "reopened"].contains($0) ? "staff.calendar.\($0)" : nil }
        // The day just closed was no working day already: said beside the notice, so the administrator can
        // see whether another day was meant.
        if page.notice == "staff.calendar.closed", let day = req.query[String.self, at: "day"].flatMap(CalendarDay.init(iso:)),
           let alreadyOff = try await OfficialCalendarStore.alreadyOff(day, on: req.db) {
            let message = alreadyOff.message(day, in: req.locale)
            page.warning = req.t(message.key, message.values)
        }
        return try await req.view.render("staff/calendar", page)
    }

    @Sendable
    func close(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        let form = try req.content.decode(CloseForm.self)
        let day: CalendarDay
        do {
            day = try await OfficialCalendarStore.close(typed: form.day ?? "", reason: form.reason ?? "", libraryID: staff.$library.id,
                                                  by: .staff(staff.id!, ipAddress: req.clientAddress), at: req.now, on: req.db)
        } catch LibraryCalendarError.invalid(let errors) {
            var page = try await Self.page(for: staff, req: req)
            page.day = (form.day ?? "").trimmingCharacters(in: .whitespaces)
            page.reason = (form.reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            page.dayError = errors.first { $0.field == "day" }.map { req.t("staff.calendar.error.\($0.code)") }
            page.reasonError = errors.first { $0.field == "reason" }.map { req.t("staff.calendar.error.\($0.code)") }
            return try await req.view.render("staff/calendar", page).encodeResponse(status: .unprocessableEntity, for: req)
        }
        return req.redirect(to: SiteURL.staffCalendar.path + "?done=closed&day=\(day.iso)", redirectType: .normal)
    }

    @Sendable
    func reopen(req: Request) async throws -> Response {
        let staff = try await req.requireStaff(Self.roles)
        guard let day = req.parameters.get("day").flatMap(CalendarDay.init(iso:)) else { throw Abort(.notFound) }
        guard try await OfficialCalendarStore.reopen(day, libraryID: staff.$library.id,
                                                     by: .staff(staff.id!, ipAddress: req.clientAddress), at: req.now, on: req.db)
        else { throw Abort(.notFound) }
        return req.redirect(to: SiteURL.staffCalendar.path + "?done=reopened", redirectType: .normal)
    }

    private static func page(for staff: StaffMember, req: Request) async throws -> StaffCalendarPage.Model {
        try await .query(libraryID: staff.$library.id, libraryName: staff.library.name(in: req.locale),
                         today: CalendarDay(date: req.now, timeZone: .taipei), on: req.db)
    }
}
