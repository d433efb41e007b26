import Foundation

/// A group application as its reviewer sees it: the organization, the contact person and the history of
/// changes, the two files, the batches, and the forms to decide and to change the contact.
enum GroupApplicationPage {
    /// What `staff/group-application` shows.
    struct Model: Encodable {
        struct Document: Encodable {
            let kindKey: String
            let mediaType: String
            let size: String
            let path: String
        }

        struct ContactChange: Encodable {
            let changedAt: String
            let previous: String
            let new: String
            let note: String
            let changedBy: String
        }

        let id: String
        let reference: String
        let statusKey: String
        let awaitsDecision: Bool
        let organization: String
        let kindKey: String
        let contactName: String
        let contactTitle: String
        let contactPhone: String
        let contactEmail: String
        let letterNumber: String
        let letterDate: String
        let submitted: String
        let due: String
        let overdue: Bool
        let decided: String?
        let rejectionReason: String?
        let documents: [Document]
        let contactChanges: [ContactChange]
        let batches: [GroupBatchView.Summary]
        /// Where the decision and the change of contact post.
        let decisionPath: String
        let contactPath: String
        var decisionErrors: [String: String] = [:]
        var contactForm = FormState()
        var notice: String?
    }
}
