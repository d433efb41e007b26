/// What `staff/digital-queue.leaf` shows: the applications waiting for a reviewer, by due date.
struct DigitalCardQueuePage: Encodable {
    struct Row: Encodable {
        let id: String
        let applicationNumber: String
        let name: String
        let submittedAt: String
        let dueOn: String
        let overdue: Bool
        let dueToday: Bool
        let documentSetKey: String
        /// The application's review page.
        let path: String
    }

    let rows: [Row]
    /// Set by the controller after a decision (`?decided=`).
    var notice: String?
}
