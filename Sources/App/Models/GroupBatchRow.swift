import Fluent
import Foundation

/// A reader of a batch, staged from the file until the import turns it into a card. The patron's id is
/// chosen when the row is staged, so a chunk re-run after a crash can never make a second card for it.
/// The ID number stays sealed; every personal field is cleared once the patron row holds it (or the row
/// is skipped), so what stays is the link from a row of the organization's file to its card.
final class GroupBatchRow: Model, @unchecked Sendable {
    static let schema = "group_batch_rows"

    enum Status: String, Codable, Sendable {
        case pending
        case imported
        /// The person got a card elsewhere between upload and import.
        case skipped
    }

    @ID(custom: .id, generatedBy: .database) var id: Int?
    @Parent(key: "batch_id") var batch: GroupBatch
    /// The row number as the spreadsheet program shows it.
    @Field(key: "row_number") var rowNumber: Int
    @Field(key: "patron_id") var patronID: UUID
    @Enum(key: "status") var status: Status
    @OptionalField(key: "id_number_sealed") var idNumberSealed: String?
    @OptionalField(key: "id_number_index") var idNumberIndex: String?
    @OptionalField(key: "name") var name: String?
    @OptionalField(key: "gender") var gender: String?
    @OptionalField(key: "birth_date") var birthDate: String?
    /// `ReaderRole` raw value.
    @Field(key: "role") var role: String
    @OptionalField(key: "email") var email: String?
    @OptionalField(key: "mobile") var mobile: String?
    @OptionalField(key: "unit") var unit: String?
    @OptionalField(key: "sequence") var sequence: String?

    init() {}

    /// Cleared by the import once the patron row holds them.
    static let personalColumns = ["id_number_sealed", "id_number_index", "name", "gender", "birth_date", "email", "mobile"]
}
