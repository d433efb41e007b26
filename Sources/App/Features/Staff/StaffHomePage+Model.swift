import Foundation

/// The back office home as a work dashboard (issue #14 item 2): each queue the signed-in person works,
/// with how many wait, how many are overdue and the oldest due date, each linking to its list.
enum StaffHomePage {
    /// One queue on the dashboard.
    struct Queue: Encodable {
        let titleKey: String
        /// How its due dates are counted, under the figures.
        let ruleKey: String
        let path: String
        let count: Int
        let overdue: Int
        /// `YYYY-MM-DD` (Taipei), nil when the queue is empty.
        let oldestDue: String?
    }

    /// What `staff/home` shows.
    struct Model: Encodable {
        let email: String
        let roleKey: String
        let library: String
        let queues: [Queue]
        /// Today in Taipei, against which "overdue" was counted.
        let today: String
    }
}
