import Fluent
import Foundation

/// One reader data file a contact uploaded, whatever became of it: returned with its errors (退回),
/// unreadable, or accepted as a batch. A returned file's annotated copy is kept sealed in the
/// `SealedFileStore` under this row's id until the contact uploads again.
final class GroupRosterUpload: Model, @unchecked Sendable {
    static let schema = "group_roster_uploads"

    enum Outcome: String, Codable, Sendable {
        /// Some row (or the header) has errors: nothing imported, the file goes back annotated.
        case returned
        /// Not a spreadsheet that can be read at all.
        case unreadable
        /// Became a batch.
        case accepted
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GroupApplicationRecord
    @Enum(key: "outcome") var outcome: Outcome
    @Field(key: "uploaded_at") var uploadedAt: Date
    /// xlsx, ods or csv; nil when unreadable.
    @OptionalField(key: "format") var format: String?
    @Field(key: "letter_number") var letterNumber: String
    @Field(key: "letter_date") var letterDate: String
    /// Data rows found.
    @Field(key: "row_count") var rowCount: Int
    @Field(key: "error_count") var errorCount: Int
    /// JSON `[{"row","column","code","message"}]` of a returned file (row numbers, headers and messages; no cell values).
    @OptionalField(key: "errors") var errors: String?
    /// Rows that would have been left out (people who already hold a card), JSON `[{"row","name","code"}]`.
    @OptionalField(key: "left_out") var leftOut: String?
    /// Why an unreadable file could not be read (`ReaderDataFileError.code`).
    @OptionalField(key: "unreadable_code") var unreadableCode: String?
    /// Whether an annotated copy is stored (it is removed when the contact uploads again).
    @Field(key: "has_annotated_file") var hasAnnotatedFile: Bool
    @OptionalField(key: "batch_id") var batchID: UUID?

    init() {}

    var sealContext: String { "group.annotated_return:\(id?.uuidString ?? "")" }
}
