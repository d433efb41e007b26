import Foundation

/// The reviewers' queue of 集體辦證: applications awaiting a decision and batches by due date (overdue
/// marked), batches being imported, the latest finished ones, and the approved organizations.
enum GroupQueuePage {
    /// What `staff/group-queue` shows.
    struct Model: Encodable {
        struct Application: Encodable {
            let reference: String
            let organization: String
            let kindKey: String
            let submitted: String
            let due: String
            let overdue: Bool
            let statusKey: String
            let path: String
        }

        struct Batch: Encodable {
            let organization: String
            let batch: GroupBatchView.Summary
        }

        let library: String
        let applications: [Application]
        let queued: [Batch]
        let importing: [Batch]
        let recent: [Batch]
        let organizations: [Application]
        let today: String
    }
}
