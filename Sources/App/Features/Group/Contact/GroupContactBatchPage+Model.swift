import Foundation

/// One of the organization's batches as its contact sees it: progress, place in the queue, the people
/// left out and, once completed, the summary to download.
enum GroupContactBatchPage {
    /// What `group/batch` shows.
    struct Model: Encodable {
        let organization: String
        let batch: GroupBatchView.Summary
        let leftOut: [GroupBatchView.LeftOut]
        /// Just uploaded: the page thanks the contact.
        let received: Bool
        let summaryPath: String?
    }
}
