import Fluent
import Foundation
import OneCardDomain

extension StaffHomePage {
    /// The database work of the dashboard: per queue a count, an overdue count and the earliest due date,
    /// each an aggregate in SQL, so the page costs the same with ten waiting or ten thousand. Only the rooms
    /// this person may open (`StaffRoom`) are counted.
    ///
    /// Due dates are those the queues already keep (digital cards: 3 working days; group applications and
    /// batches: the working-day due dates stored when they arrived, on the government office calendar and
    /// the library's closed days). Queues with no stored due date get one here: an online application is
    /// due at the desk before it expires (`pendingApplicationLifetimeDays`); a reader's request within the
    /// 30 days the Personal Data Protection Act gives for a correction or erasure (個人資料保護法 §13 II);
    /// a failing partner delivery is overdue once it has given up retrying, and its "due date" is the day
    /// the oldest one was queued.
    struct Query {
        /// 個人資料保護法 §13 II: a request to correct or erase is answered within 30 days.
        static let requestDays = 30

        let database: any Database
        let pendingApplicationLifetimeDays: Int
        let now: Date

        func model(for staff: StaffMember, locale: SiteLocale) async throws -> Model {
            let today = CalendarDay(date: now, timeZone: .taipei)
            var queues: [Queue] = []
            for room in StaffRoom.allCases where room.isOpen(to: staff) {
                queues += try await self.queues(in: room, staff: staff, today: today)
            }
            return Model(email: staff.email, roleKey: "staff.role.\(staff.role.rawValue)", library: staff.library.name(in: locale),
                         queues: queues, today: today.iso)
        }

        private func day(_ date: Date?, plus days: Int) -> String? {
            date.map { CalendarDay(date: $0, timeZone: .taipei).adding(days: days).iso }
        }

        private func queues(in room: StaffRoom, staff: StaffMember, today: CalendarDay) async throws -> [Queue] {
            let library = staff.$library.id
            switch room {
            case .deskApplications:
                let waiting = { Patron.query(on: database).filter(\.$library.$id == library)
                    .filter(\.$status == .pending).filter(\.$cardKind == .physical) }
                let lifetime = pendingApplicationLifetimeDays
                let expired = now.addingTimeInterval(-Double(lifetime) * 86400)
                return [Queue(titleKey: "staff.dashboard.queue.desk", ruleKey: "staff.dashboard.rule.desk", path: room.url.path,
                              count: try await waiting().count(), overdue: try await waiting().filter(\.$appliedAt < expired).count(),
                              oldestDue: day(try await waiting().min(\.$appliedAt), plus: lifetime))]
            case .digitalCards:
                let waiting = { DigitalCardApplication.query(on: database).filter(\.$status == .submitted) }
                return [Queue(titleKey: "staff.digital.queue_title", ruleKey: "staff.dashboard.rule.digital", path: room.url.path,
                              count: try await waiting().count(), overdue: try await waiting().filter(\.$dueOn < today.iso).count(),
                              oldestDue: try await waiting().min(\.$dueOn))]
            case .group:
                let applications = { GroupApplicationRecord.query(on: database).filter(\.$library.$id == library).filter(\.$status == .submitted) }
                let batches = {
                    GroupBatch.query(on: database)
                        .join(GroupApplicationRecord.self, on: \GroupBatch.$application.$id == \GroupApplicationRecord.$id)
                        .filter(GroupApplicationRecord.self, \.$library.$id == library).filter(\.$status == .queued)
                }
                return [
                    Queue(titleKey: "staff.dashboard.queue.group_applications", ruleKey: "staff.dashboard.rule.group_applications",
                          path: room.url.path, count: try await applications().count(),
                          overdue: try await applications().filter(\.$dueOn < today.iso).count(), oldestDue: try await applications().min(\.$dueOn)),
                    Queue(titleKey: "staff.dashboard.queue.group_batches", ruleKey: "staff.dashboard.rule.group_batches",
                          path: room.url.path, count: try await batches().count(),
                          overdue: try await batches().filter(\.$dueOn < today.iso).count(), oldestDue: try await batches().min(\.$dueOn)),
                ]
            case .requests:
                let waiting = {
                    PatronRequest.query(on: database).filter(\.$status == .pending)
                        .join(Patron.self, on: \PatronRequest.$patron.$id == \Patron.$id).filter(Patron.self, \.$library.$id == library)
                }
                let late = now.addingTimeInterval(-Double(Self.requestDays) * 86400)
                return [Queue(titleKey: "staff.requests.title", ruleKey: "staff.dashboard.rule.requests", path: room.url.path,
                              count: try await waiting().count(), overdue: try await waiting().filter(\.$requestedAt < late).count(),
                              oldestDue: day(try await waiting().min(\.$requestedAt), plus: Self.requestDays))]
            case .deliveries:
                let failing = { PartnerDeliveries(database: database, now: now).failingQuery(for: SystemsScope(staff: staff).libraryID) }
                return [Queue(titleKey: "staff.deliveries.title", ruleKey: "staff.dashboard.rule.deliveries", path: room.url.path,
                              count: try await failing().count(), overdue: try await failing().filter(\.$status == .failed).count(),
                              oldestDue: day(try await failing().min(\.$createdAt), plus: 0))]
            case .home, .patrons, .audit, .calendar, .oidcClients, .systems, .library, .libraries, .accounts, .consents, .reports:
                return []
            }
        }
    }
}
