import Foundation
import OneCardDomain

/// What the reports count for one range (issue #14 item 4): every figure the page, its charts and its
/// downloads show, computed once.
struct ReportFigures: Sendable {
    /// Applications that arrived on one day, by channel (`Patron.ApplicationChannel.allCases` order).
    struct ChannelDay: Sendable {
        let day: CalendarDay
        let counts: [Int]
        var total: Int { counts.reduce(0, +) }
    }

    /// How long one queue took, from arrival to decision, over what arrived in the range.
    struct QueueTimes: Sendable {
        let queue: DecisionQueue
        let decided: Int
        let waiting: Int
        /// Seconds; nil when nothing was decided.
        let median: Double?
        let percentile90: Double?
    }

    /// One service level: how much of what arrived in the range was decided in time.
    struct Compliance: Sendable {
        let level: ServiceLevel
        var met = 0
        var missed = 0
        /// Still undecided, and past the deadline already: as good as missed.
        var openOverdue = 0
        /// Still undecided, and the deadline has not come.
        var openInTime = 0

        /// Met of everything whose deadline has passed or that was decided; nil when there is none.
        var rate: Double? {
            let judged = met + missed + openOverdue
            return judged == 0 ? nil : Double(met) / Double(judged)
        }
    }

    /// New partner links of one partner service, per period.
    struct PartnerSeries: Sendable {
        let name: String
        let counts: [Int]
    }

    let range: ReportRange
    let applications: [ChannelDay]
    let decisions: [QueueTimes]
    let compliance: [Compliance]
    /// `YYYY-MM-DD` or `YYYY-MM` (see `ReportRange.countsPartnerLinksByMonth`).
    let partnerPeriods: [String]
    let partners: [PartnerSeries]
}
