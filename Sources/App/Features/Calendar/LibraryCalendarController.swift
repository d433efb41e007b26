import Fluent
import OneCardDomain
import Vapor

/// 休館日: an administrator keeps the library's own closed days, which its due dates skip on top of the
/// government office calendar. The same change is `onecard calendar close|reopen` at the command line.
struct LibraryCalendarController: RouteCollection {
    static let maximumReasonLength = 100

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.staffCalendar, use: page)
        routes.post(.staffCalendar, use: close)
        routes.post(.staffCalendarReopen(day: .key), use: reopen)
    }

    struct Page: Encodable {
        struct Row: Encodable {
            let day: String
            let weekdayKey: String
            let reason: String
        }

        let library: String
        let rows: [Row]
        var day = ""
        var reason = ""
        var dayError: String?
        var reasonError: String?
        var notice: String?
    }

    struct CloseForm: Content {
        var day: String?
        var reason: String?
    }

    @Sendable
    func page(req: Request) async throws -> View {
        let staff = try await req.requireStaff([.admin])
        var page = try await Self.page(for: staff, req: req)
        page.notice = req.query[String.self, at: "done"].flatMap { ["closed", "reopened"].contains($0) ? "staff.calendar.\($0)" : nil }
        return try await req.view.render("staff/calendar", page)
    }

    @Sendable
    func close(req: Request) async throws -> Response {
        let staff = try await req.requireStaff([.admin])
        let form = try req.content.decode(CloseForm.self)
        let raw = (form.day ?? "").trimmingCharacters(in: .whitespaces)
        let reason = (form.reason ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let today = CalendarDay(date: req.now, timeZone: .taipei)
        var page = try await Self.page(for: staff, req: req)
        page.day = raw
        page.reason = reason
        if raw.isEmpty {
            page.dayError = req.t("staff.calendar.error.day_empty")
        } else if let day = CalendarDay(iso: raw) {
            if day < today { page.dayError = req.t("staff.calendar.error.day_past") }
        } else {
            page.dayError = req.t("staff.calendar.error.day_invalid")
        }
        if reason.isEmpty {
            page.reasonError = req.t("staff.calendar.error.reason_empty")
        } else if reason.count > Self.maximumReasonLength {
            page.reasonError = req.t("staff.calendar.error.reason_too_long")
        }
        guard page.dayError == nil, page.reasonError == nil, let day = CalendarDay(iso: raw) else {
            return try await req.view.render("staff/calendar", page).encodeResponse(status: .unprocessableEntity, for: req)
        }
        try await OfficialCalendarStore.close(day, reason: reason, libraryID: staff.$library.id,
                                              by: .staff(staff.id!, ipAddress: req.clientAddress), at: req.now, on: req.db)
        return req.redirect(to: SiteURL.staffCalendar.path + "?done=closed", redirectType: .normal)
    }

    @Sendable
    func reopen(req: Request) async throws -> Response {
        let staff = try await req.requireStaff([.admin])
        guard let day = req.parameters.get("day").flatMap(CalendarDay.init(iso:)) else { throw Abort(.notFound) }
        guard try await OfficialCalendarStore.reopen(day, libraryID: staff.$library.id,
                                                     by: .staff(staff.id!, ipAddress: req.clientAddress), at: req.now, on: req.db)
        else { throw Abort(.notFound) }
        return req.redirect(to: SiteURL.staffCalendar.path + "?done=reopened", redirectType: .normal)
    }

    private static func page(for staff: StaffMember, req: Request) async throws -> Page {
        let today = CalendarDay(date: req.now, timeZone: .taipei)
        let days = try await OfficialCalendarStore.closedDays(libraryID: staff.$library.id, from: today, on: req.db)
        let rows = days.compactMap { row in
            CalendarDay(iso: row.day).map { Page.Row(day: $0.iso, weekdayKey: "calendar.weekday.\($0.weekday)", reason: row.reason) }
        }
        return Page(library: staff.library.name(in: req.locale), rows: rows)
    }
}
