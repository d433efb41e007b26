import Fluent
import Foundation
import OneCardDomain
import SQLKit

extension ReportFigures {
    /// The database work of the reports (issue #14 item 4). Everything is aggregated in SQL: counts are
    /// `GROUP BY` day and channel, percentiles are picked from durations the database sorts (a window
    /// function), and service levels group arrivals by (library, day of arrival, day of decision) so that
    /// the working-day calendar is asked once per pair of days, not once per application. No row becomes a
    /// model, so a year of Taipei's applications costs a handful of statements (`scripts/benchmark-reports`).
    ///
    /// SQLite keeps dates as seconds since 1970 (a REAL); PostgreSQL as `timestamptz`. The few expressions
    /// that differ are in `DateSQL`.
    struct Query {
        let database: any Database
        /// For the service levels: whether an open deadline has passed.
        let today: CalendarDay
        /// Partner services are named in it.
        let locale: SiteLocale

        func figures(for range: ReportRange) async throws -> ReportFigures {
            guard let sql = database as? any SQLDatabase else { throw OneCardError.notFound }
            let dates = DateSQL(postgres: sql.dialect.name == "postgresql")
            return ReportFigures(
                range: range,
                applications: try await applications(range, sql, dates),
                decisions: try await decisionTimes(range, sql, dates),
                compliance: try await compliance(range, sql, dates),
                partnerPeriods: periods(range),
                partners: try await partnerLinks(range, sql, dates))
        }

        /// `AND <column> = <library>` when the report is one library's.
        private func library(_ column: String, _ range: ReportRange) -> SQLQueryString {
            guard let id = range.library?.id else { return "" }
            return " AND \(unsafeRaw: column) = \(bind: id)"
        }

        private func arrived(_ column: String, _ range: ReportRange) -> SQLQueryString {
            "\(unsafeRaw: column) >= \(bind: range.start) AND \(unsafeRaw: column) < \(bind: range.end)"
        }

        // MARK: Applications per day, by channel

        private func applications(_ range: ReportRange, _ sql: any SQLDatabase, _ dates: DateSQL) async throws -> [ChannelDay] {
            let rows = try await sql.raw("""
                SELECT \(dates.day("p.applied_at")) AS day, p.application_channel AS channel, COUNT(*) AS n
                FROM patrons p WHERE \(arrived("p.applied_at", range))\(library("p.library_id", range))
                GROUP BY 1, 2
                """).all()
            var counts: [String: [Int]] = [:]
            let channels = Patron.ApplicationChannel.allCases
            for row in rows {
                let day = try row.decode(column: "day", as: String.self)
                let channel = try row.decode(column: "channel", as: String.self)
                guard let index = channels.firstIndex(where: { $0.rawValue == channel }) else { continue }
                counts[day, default: Array(repeating: 0, count: channels.count)][index] += try row.decode(column: "n", as: Int.self)
            }
            return range.days.map { ChannelDay(day: $0, counts: counts[$0.iso] ?? Array(repeating: 0, count: channels.count)) }
        }

        // MARK: Time to decision

        /// Where each queue's rows are, when they arrived and were decided, and which are still waiting.
        private func source(_ queue: DecisionQueue) -> (from: String, arrived: String, decided: String, library: String,
                                                         isDecided: String, isWaiting: String) {
            switch queue {
            case .desk:
                ("patrons p", "p.applied_at", "p.activated_at", "p.library_id",
                 "p.application_channel IN ('web', 'api') AND p.card_kind = 'physical' AND p.activated_at IS NOT NULL",
                 "p.application_channel IN ('web', 'api') AND p.card_kind = 'physical' AND p.status = 'pending'")
            case .digitalCards:
                ("digital_card_applications d JOIN patrons p ON p.id = d.patron_id", "d.submitted_at", "d.decided_at", "p.library_id",
                 "d.method = 'documents' AND d.status IN ('approved', 'rejected') AND d.decided_at IS NOT NULL",
                 "d.method = 'documents' AND d.status = 'submitted'")
            case .groupApplications:
                ("group_applications g", "g.submitted_at", "g.decided_at", "g.library_id",
                 "g.decided_at IS NOT NULL", "g.status = 'submitted'")
            case .groupBatches:
                ("group_batches b JOIN group_applications g ON g.id = b.application_id", "b.received_at", "b.decided_at", "g.library_id",
                 "b.decided_at IS NOT NULL", "b.status = 'queued'")
            case .requests:
                ("patron_requests r JOIN patrons p ON p.id = r.patron_id", "r.requested_at", "r.decided_at", "p.library_id",
                 "r.status IN ('approved', 'rejected') AND r.decided_at IS NOT NULL", "r.status = 'pending'")
            }
        }

        private func decisionTimes(_ range: ReportRange, _ sql: any SQLDatabase, _ dates: DateSQL) async throws -> [QueueTimes] {
            var result: [QueueTimes] = []
            for queue in DecisionQueue.allCases {
                let source = source(queue)
                let chosen: SQLQueryString = "FROM \(unsafeRaw: source.from) WHERE \(arrived(source.arrived, range))\(library(source.library, range))"
                let counts = try await sql.raw("""
                    SELECT COALESCE(SUM(CASE WHEN \(unsafeRaw: source.isDecided) THEN 1 ELSE 0 END), 0) AS decided,
                           COALESCE(SUM(CASE WHEN \(unsafeRaw: source.isWaiting) THEN 1 ELSE 0 END), 0) AS waiting
                    \(chosen)
                    """).first()
                let decided = try counts?.decode(column: "decided", as: Int.self) ?? 0
                let waiting = try counts?.decode(column: "waiting", as: Int.self) ?? 0
                // The database sorts the durations and hands back only the ranks the two percentiles need.
                let (m, p) = (Percentile.median, Percentile.ninetieth)
                let ranks = try await sql.raw("""
                    SELECT rn, d FROM (
                        SELECT d, ROW_NUMBER() OVER (ORDER BY d) AS rn, COUNT(*) OVER () AS n
                        FROM (SELECT \(dates.seconds(from: source.arrived, to: source.decided)) AS d
                              \(chosen) AND \(unsafeRaw: source.isDecided)) durations
                    ) ranked
                    WHERE rn IN ((n - 1) * \(unsafeRaw: String(m.tenths)) / 10 + 1, (n - 1) * \(unsafeRaw: String(m.tenths)) / 10 + 2,
                                 (n - 1) * \(unsafeRaw: String(p.tenths)) / 10 + 1, (n - 1) * \(unsafeRaw: String(p.tenths)) / 10 + 2)
                    """).all()
                var byRank: [Int: Double] = [:]
                for row in ranks { byRank[try row.decode(column: "rn", as: Int.self)] = try row.decode(column: "d", as: Double.self) }
                result.append(QueueTimes(queue: queue, decided: decided, waiting: waiting,
                                         median: m.value(of: decided) { byRank[$0] },
                                         percentile90: p.value(of: decided) { byRank[$0] }))
            }
            return result
        }

        // MARK: Service levels

        private func compliance(_ range: ReportRange, _ sql: any SQLDatabase, _ dates: DateSQL) async throws -> [Compliance] {
            var calendars: [UUID: WorkingDayCalendar] = [:]
            func calendar(_ library: UUID) async throws -> WorkingDayCalendar {
                if let known = calendars[library] { return known }
                let loaded = try await OfficialCalendarStore.calendar(libraryID: library, on: database)
                calendars[library] = loaded
                return loaded
            }
            /// (library, day of arrival, day of decision or nil while open, how many).
            func groups(_ queue: DecisionQueue) async throws -> [(UUID, CalendarDay, CalendarDay?, Int)] {
                let source = source(queue)
                return try await sql.raw("""
                    SELECT \(unsafeRaw: source.library) AS library, \(dates.day(source.arrived)) AS arrived,
                           CASE WHEN \(unsafeRaw: source.isDecided) THEN \(dates.day(source.decided)) END AS decided, COUNT(*) AS n
                    FROM \(unsafeRaw: source.from)
                    WHERE \(arrived(source.arrived, range))\(library(source.library, range))
                      AND ((\(unsafeRaw: source.isDecided)) OR (\(unsafeRaw: source.isWaiting)))
                    GROUP BY 1, 2, 3
                    """).all().compactMap { row in
                    guard let arrived = CalendarDay(iso: try row.decode(column: "arrived", as: String.self)) else { return nil }
                    let decided = try row.decodeNil(column: "decided") ? nil : CalendarDay(iso: try row.decode(column: "decided", as: String.self))
                    return (try row.decode(column: "library", as: UUID.self), arrived, decided, try row.decode(column: "n", as: Int.self))
                }
            }
            var result: [Compliance] = []
            let digital = try await groups(.digitalCards)
            let batches = try await groups(.groupBatches)
            for level in ServiceLevel.allCases {
                var figure = Compliance(level: level)
                for (library, arrived, decided, n) in level == .digitalCards ? digital : batches {
                    let deadline = try await calendar(library).dueDate(after: arrived, workingDays: level.workingDays)
                    switch decided {
                    case let day? where day <= deadline: figure.met += n
                    case .some: figure.missed += n
                    case nil where today > deadline: figure.openOverdue += n
                    case nil: figure.openInTime += n
                    }
                }
                result.append(figure)
            }
            return result
        }

        // MARK: Partner links per partner over time

        private func periods(_ range: ReportRange) -> [String] {
            guard range.countsPartnerLinksByMonth else { return range.days.map(\.iso) }
            var months: [String] = []
            for day in range.days where months.last != String(day.iso.prefix(7)) { months.append(String(day.iso.prefix(7))) }
            return months
        }

        private func partnerLinks(_ range: ReportRange, _ sql: any SQLDatabase, _ dates: DateSQL) async throws -> [PartnerSeries] {
            let period = range.countsPartnerLinksByMonth ? dates.month("l.created_at") : dates.day("l.created_at")
            let rows = try await sql.raw("""
                SELECT l.partner_service_id AS partner, \(period) AS period, COUNT(*) AS n
                FROM partner_links l JOIN partner_services s ON s.id = l.partner_service_id
                WHERE \(arrived("l.created_at", range))\(library("s.library_id", range))
                GROUP BY 1, 2
                """).all()
            var counts: [UUID: [String: Int]] = [:]
            for row in rows {
                counts[try row.decode(column: "partner", as: UUID.self), default: [:]][try row.decode(column: "period", as: String.self)] =
                    try row.decode(column: "n", as: Int.self)
            }
            // Every partner service the report covers, those without new links too: a zero is a figure.
            var services = PartnerService.query(on: database).with(\.$library)
            if let id = range.library?.id { services = services.filter(\.$library.$id == id) }
            let periods = periods(range)
            return try await services.all()
                .sorted { ($0.library.position, $0.position) < ($1.library.position, $1.position) }
                .map { service in
                    let name = range.library == nil ? "\(service.library.code) \(service.name(in: locale))" : service.name(in: locale)
                    let series = counts[service.id!] ?? [:]
                    return PartnerSeries(name: name, counts: periods.map { series[$0] ?? 0 })
                }
        }
    }
}
