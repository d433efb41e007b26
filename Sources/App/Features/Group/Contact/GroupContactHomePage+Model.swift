import Foundation

/// The contact's home: the organization, its batches (newest first) and the latest file returned with errors.
enum GroupContactHomePage {
    /// What `group/contact-home` shows.
    struct Model: Encodable {
        let organization: String
        let reference: String
        let library: String
        let contactName: String
        let contactEmail: String
        let batches: [GroupBatchView.Summary]
        let lastReturned: String?
    }
}
