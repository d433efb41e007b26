import Foundation

/// A batch as its reviewer sees it: the summary, the people left out, a page of its rows, and the form
/// to approve or reject it.
enum GroupBatchPage {
    /// What `staff/group-batch` shows.
    struct Model: Encodable {
        struct Row: Encodable {
            let row: Int
            let name: String
            let maskedID: String
            let birthDate: String
            let roleKey: String
            let unit: String
            let email: String
            let statusKey: String
        }

        let organization: String
        let applicationPath: String
        let batch: GroupBatchView.Summary
        let leftOut: [GroupBatchView.LeftOut]
        let rows: [Row]
        let pages: [Pagination.Link]
        let awaitsDecision: Bool
        let summaryPath: String?
        /// Where the decision on the batch posts.
        let decisionPath: String
        var decisionErrors: [String: String] = [:]
        var notice: String?
    }
}
