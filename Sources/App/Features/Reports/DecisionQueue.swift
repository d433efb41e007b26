/// The queues whose time from arrival to decision the reports measure (issue #14 item 4): the same queues as
/// the work dashboard's, where a decision is something staff do.
enum DecisionQueue: String, CaseIterable, Sendable {
    /// An online application (web or kiosk API), until a desk activates the card.
    case desk
    /// A digital card applied for with documents, until it is approved or rejected. One returned for
    /// correction (補件) waits on the applicant, and its clock starts again when the documents come back;
    /// one verified with a citizen digital certificate is decided at once and is no queue.
    case digitalCards = "digital_cards"
    /// A group application (集體辦證), until it is approved or rejected.
    case groupApplications = "group_applications"
    /// A group batch, until it is approved or rejected (its import follows by itself).
    case groupBatches = "group_batches"
    /// A reader's request (a name change or erasure), until it is approved or rejected; one the reader took
    /// back was never decided.
    case requests
}
