/// A promise measured by the reports (issue #14 item 4), in working days after the day of arrival on the
/// office calendar with the library's own closed days (`WorkingDayCalendar`).
enum ServiceLevel: String, CaseIterable, Sendable {
    /// A digital card applied for with documents is decided within 3 working days.
    case digitalCards = "digital_cards"
    /// A group batch is decided within its target of 7 working days…
    case groupBatchTarget = "group_batch_target"
    /// …and at the latest by its due date, 10 working days.
    case groupBatchDue = "group_batch_due"

    var workingDays: Int {
        switch self {
        case .digitalCards: 3
        case .groupBatchTarget: 7
        case .groupBatchDue: 10
        }
    }
}
