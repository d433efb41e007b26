/// What `staff/digital-application.leaf` shows: one application with its documents, for a reviewer.
struct DigitalCardReviewPage: Encodable {
    struct Document: Encodable {
        let id: String
        let labelKey: String
        let isImage: Bool
        let mediaType: String
        let size: String
        let removedMetadata: String?
        let uploadedAt: String
        /// The file itself, shown inline or opened.
        let path: String
    }

    let id: String
    let applicationNumber: String
    let statusKey: String
    let canDecide: Bool
    let name: String
    let idNumber: String
    let birthDate: String
    let age: Int
    let email: String
    let mobile: String?
    let documentSetKey: String
    let guardianName: String?
    let guardianRelation: String?
    let submittedAt: String
    let dueOn: String
    let documents: [Document]
    let filesErased: Bool
    /// Set by the controller after a refused decision, with the reason as typed.
    var error: String?
    var reason: String
    /// Where the reviewer's decision posts.
    let decisionPath: String
}
