import Fluent
import Foundation
import OneCardDomain

/// One batch of a group application (分批次申請): a clean reader data file under its own official
/// letter, queued in order of arrival, reviewed, then turned into digital cards chunk by chunk.
final class GroupBatch: Model, @unchecked Sendable {
    static let schema = "group_batches"

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GroupApplicationRecord
    /// e.g. NLPI-B260522-7QK2MX.
    @Field(key: "reference") var reference: String
    /// Unique per organization: every batch is its own application with its own letter.
    @Field(key: "letter_number") var letterNumber: String
    @Field(key: "letter_date") var letterDate: String
    @Enum(key: "status") var status: GroupBatchStatus
    @Field(key: "received_at") var receivedAt: Date
    /// ISO dates: 7 (target) and 10 (due) working days after arrival.
    @Field(key: "target_on") var targetOn: String
    @Field(key: "due_on") var dueOn: String
    /// Rows to become cards.
    @Field(key: "row_count") var rowCount: Int
    /// Rows left out when the file came in, as JSON `[{"row","name","code"}]` (people who already hold a card).
    @Field(key: "left_out") var leftOut: String
    @Field(key: "imported_count") var importedCount: Int
    /// Rows skipped during the import because the person got a card meanwhile.
    @Field(key: "skipped_count") var skippedCount: Int
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @OptionalField(key: "decided_by") var decidedBy: UUID?
    @OptionalField(key: "rejection_reason") var rejectionReason: String?
    /// While an importer works on the batch, it holds it until this time (renewed after every chunk).
    @OptionalField(key: "import_lease_until") var importLeaseUntil: Date?
    @OptionalField(key: "completed_at") var completedAt: Date?

    init() {}
}
