import Fluent
import Foundation

/// One reader data file a contact uploaded, whatever became of it: returned with its errors (退回),
/// unreadable, accepted as a batch, or clean with nobody left to register. A returned file's annotated copy is kept sealed in the
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
        /// Clean, but everyone in it was already registered or in a batch: no batch, the letter used up.
        case nobodyToRegister = "nobody_to_register"

        /// The outcomes that use up their letter number (a file that went back or could not be read does not).
        static let usingUpTheLetter: [Outcome] = [.accepted, .nobodyToRegister]
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
    /// Rows left out of a clean file with nobody to register (people already registered), JSON `[{"row","name","code"}]`.
    /// A returned file has none: it is not looked up in the consortium.
    @OptionalField(key: "left_out") var leftOut: String?
    /// Why an unreadable file could not be read (`ReaderDataFileError.code`).
    @OptionalField(key: "unreadable_code") var unreadableCode: String?
    /// Whether an annotated copy is stored (it is removed when the contact uploads again).
    @Field(key: "has_annotated_file") var hasAnnotatedFile: Bool
    @OptionalField(key: "batch_id") var batchID: UUID?

    init() {}

    var sealContext: String { "group.annotated_return:\(id?.uuidString ?? "")" }
}
