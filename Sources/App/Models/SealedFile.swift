import Fluent
import Foundation

/// One sealed file kept in the database (`ONECARD_FILE_STORAGE=database`, the default with PostgreSQL):
/// the same bytes `uploads/<id>` would hold, under the id of the record it belongs to (an identity
/// document, a group document, a returned reader data file).
final class SealedFile: Model, @unchecked Sendable {
    static let schema = "sealed_files"

    @ID(key: .id) var id: UUID?
    /// As the vault sealed it (`OCV1`, key id, nonce‖ciphertext‖tag): never the file in clear.
    @Field(key: "sealed") var sealed: Data
    /// The key it is sealed with, so key maintenance counts and finds files without reading them.
    @Field(key: "key_id") var keyID: String
    /// Of the sealed bytes, for the operator sizing the database.
    @Field(key: "byte_count") var byteCount: Int
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(id: UUID, sealed: Data, keyID: String, createdAt: Date) {
        self.id = id
        self.sealed = sealed
        self.keyID = keyID
        self.byteCount = sealed.count
        self.createdAt = createdAt
    }
}
