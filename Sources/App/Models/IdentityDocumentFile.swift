import Fluent
import Foundation

/// One uploaded identity document, stored encrypted with the vault in the data directory (never in a
/// public folder), shown only to reviewers, erased after the retention period.
final class IdentityDocumentFile: Model, @unchecked Sendable {
    static let schema = "identity_document_files"

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: DigitalCardApplication
    /// IdentityDocumentSlot raw value.
    @Field(key: "slot") var slot: String
    @Field(key: "media_type") var mediaType: String
    @Field(key: "byte_count") var byteCount: Int
    @OptionalField(key: "pixel_width") var pixelWidth: Int?
    @OptionalField(key: "pixel_height") var pixelHeight: Int?
    /// Metadata removed on upload, e.g. `EXIF,XMP`.
    @OptionalField(key: "removed_metadata") var removedMetadata: String?
    @Field(key: "uploaded_at") var uploadedAt: Date
    /// Replaced by a later upload of the same slot (after 補件); kept until erased.
    @Field(key: "superseded") var superseded: Bool
    @OptionalField(key: "erased_at") var erasedAt: Date?

    init() {}
}
