/// What `staff/deliveries.leaf` shows: the failing partner deliveries, and whether one was just retried.
struct PartnerDeliveriesPage: Encodable {
    struct Row: Encodable {
        let id: Int
        let partner: String
        let event: String
        let cardNumber: String
        let attempts: Int
        let lastError: String
        let nextAttempt: String
        let gaveUp: Bool
        /// Where 重試 for this delivery posts.
        let retryPath: String
    }

    let rows: [Row]
    /// Set by the controller after a retry (`?retried=1`).
    var retried: Bool
}
