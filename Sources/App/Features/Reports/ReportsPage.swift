import Foundation
import OneCardDomain

/// What `staff/reports.leaf` shows (issue #14 item 4): the form choosing the range, and per report a chart
/// with the same figures as a table beside it, and its downloads.
enum ReportsPage {
    struct Option: Encodable {
        let value: String
        let label: String
        let selected: Bool
    }

    struct Download: Encodable {
        let label: String
        let path: String
    }

    struct Section: Encodable {
        let chart: ReportChart
        let table: ReportTable
        let downloads: [Download]
    }

    struct Model: Encodable {
        var form: FormState
        /// Only for the consortium administrator, who may choose a library or all of them.
        let libraries: [Option]?
        /// The library (or "all libraries") and days the figures are of; nil when the form has errors.
        let scope: String?
        let sections: [Section]
    }

    typealias Translate = (String, [String: String]) -> String

    /// The four tables, in `ReportKind` order; the charts are drawn from the same figures.
    static func tables(_ figures: ReportFigures, t: Translate) -> [ReportTable] {
        ReportKind.allCases.map { table($0, figures, t: t) }
    }

    static func table(_ kind: ReportKind, _ figures: ReportFigures, t: Translate) -> ReportTable {
        let title = t("staff.reports.\(kind.rawValue).title", [:])
        switch kind {
        case .applications:
            return ReportTable(
                id: kind.rawValue, title: title,
                columns: [t("staff.reports.column.day", [:])] + Patron.ApplicationChannel.allCases.map { t("staff.reports.channel.\($0.rawValue)", [:]) }
                    + [t("staff.reports.column.total", [:])],
                rows: figures.applications.map { day in [.text(day.day.iso)] + day.counts.map(ReportTable.Cell.count) + [.count(day.total)] })
        case .decisions:
            let days = { (seconds: Double?) in seconds.map { $0 / 86_400 } }
            return ReportTable(
                id: kind.rawValue, title: title,
                columns: ["queue", "decided", "waiting", "median_days", "p90_days"].map { t("staff.reports.column.\($0)", [:]) },
                rows: figures.decisions.map { queue in
                    [.text(t("staff.reports.queue.\(queue.queue.rawValue)", [:])), .count(queue.decided), .count(queue.waiting),
                     .decimal(days(queue.median)), .decimal(days(queue.percentile90))]
                })
        case .compliance:
            return ReportTable(
                id: kind.rawValue, title: title,
                columns: ["level", "met", "missed", "open_overdue", "open_in_time", "rate"].map { t("staff.reports.column.\($0)", [:]) },
                rows: figures.compliance.map { level in
                    [.text(t("staff.reports.level.\(level.level.rawValue)", [:])), .count(level.met), .count(level.missed),
                     .count(level.openOverdue), .count(level.openInTime), .percent(level.rate)]
                })
        case .partners:
            return ReportTable(
                id: kind.rawValue, title: title,
                columns: [t(figures.range.countsPartnerLinksByMonth ? "staff.reports.column.month" : "staff.reports.column.day", [:])]
                    + figures.partners.map(\.name) + [t("staff.reports.column.total", [:])],
                rows: figures.partnerPeriods.enumerated().map { index, period in
                    let counts = figures.partners.map { $0.counts[index] }
                    return [.text(period)] + counts.map(ReportTable.Cell.count) + [.count(counts.reduce(0, +))]
                })
        }
    }

    static func chart(_ kind: ReportKind, _ figures: ReportFigures, t: Translate) -> ReportChart {
        let id = "chart-\(kind.rawValue)"
        let title = t("staff.reports.\(kind.rawValue).title", [:])
        let range = ["from": figures.range.from.iso, "to": figures.range.to.iso]
        switch kind {
        case .applications:
            let channels = Patron.ApplicationChannel.allCases
            let totals = channels.indices.map { index in figures.applications.reduce(0) { $0 + $1.counts[index] } }
            var values = range.merging(["total": String(totals.reduce(0, +))]) { $1 }
            for (channel, total) in zip(channels, totals) { values[channel.rawValue] = String(total) }
            return .stackedColumns(id: id, title: title, summary: t("staff.reports.applications.summary", values),
                                   categories: figures.applications.map(\.day.iso),
                                   series: channels.map { t("staff.reports.channel.\($0.rawValue)", [:]) },
                                   values: figures.applications.map(\.counts), unit: t("staff.reports.unit.applications", [:]))
        case .decisions:
            let days = { (seconds: Double?) in (seconds ?? 0) / 86_400 }
            let text = { (seconds: Double?) in seconds.map { String(format: "%.1f", $0 / 86_400) } ?? "—" }
            let parts = figures.decisions.map { queue in
                t("staff.reports.decisions.summary_queue", ["queue": t("staff.reports.queue.\(queue.queue.rawValue)", [:]),
                                                            "median": text(queue.median), "p90": text(queue.percentile90)])
            }
            return .bars(id: id, title: title,
                         summary: t("staff.reports.decisions.summary", range) + " " + parts.joined(separator: t("staff.reports.separator", [:])),
                         categories: figures.decisions.map { t("staff.reports.queue.\($0.queue.rawValue)", [:]) },
                         series: [t("staff.reports.column.median_days", [:]), t("staff.reports.column.p90_days", [:])],
                         fills: ["#56B4E9", "#0072B2"],
                         values: figures.decisions.map { [days($0.median), days($0.percentile90)] }, stacked: false,
                         valueLabels: figures.decisions.map { [text($0.median), text($0.percentile90)] })
        case .compliance:
            let rate = { (share: Double?) in share.map { String(format: "%.1f%%", $0 * 100) } ?? "—" }
            let parts = figures.compliance.map { level in
                t("staff.reports.compliance.summary_level", ["level": t("staff.reports.level.\(level.level.rawValue)", [:]), "rate": rate(level.rate),
                                                             "met": String(level.met), "late": String(level.missed + level.openOverdue)])
            }
            return .bars(id: id, title: title,
                         summary: t("staff.reports.compliance.summary", range) + " " + parts.joined(separator: t("staff.reports.separator", [:])),
                         categories: figures.compliance.map { t("staff.reports.level.\($0.level.rawValue)", [:]) },
                         series: ["met", "missed", "open_overdue", "open_in_time"].map { t("staff.reports.column.\($0)", [:]) },
                         fills: ["#009E73", "#D55E00", "#CC79A7", "#BBBBBB"],
                         values: figures.compliance.map { level in
                             let all = Double(max(level.met + level.missed + level.openOverdue + level.openInTime, 1))
                             return [level.met, level.missed, level.openOverdue, level.openInTime].map { Double($0) / all }
                         },
                         stacked: true, valueLabels: figures.compliance.map { [rate($0.rate)] })
        case .partners:
            let totals = figures.partners.map { series in
                t("staff.reports.partners.summary_partner", ["partner": series.name, "count": String(series.counts.reduce(0, +))])
            }
            return .stackedColumns(id: id, title: title,
                                   summary: t(figures.range.countsPartnerLinksByMonth ? "staff.reports.partners.summary_month"
                                              : "staff.reports.partners.summary_day", range) + " "
                                       + (totals.isEmpty ? t("staff.reports.partners.none", [:]) : totals.joined(separator: t("staff.reports.separator", [:]))),
                                   categories: figures.partnerPeriods, series: figures.partners.map(\.name),
                                   values: figures.partnerPeriods.indices.map { index in figures.partners.map { $0.counts[index] } },
                                   unit: t("staff.reports.unit.links", [:]))
        }
    }
}
