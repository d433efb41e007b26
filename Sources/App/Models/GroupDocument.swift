import Fluent
import Foundation

/// A file an organization sent with its application: the stamped application form (申請單, with the
/// organization's seal) or the consent statement signed by the contact (個人資料授權同意聲明書).
/// The bytes live sealed in the `SealedFileStore`, under this row's id; only metadata is here.
final class GroupDocument: Model, @unchecked Sendable {
    static let schema = "group_documents"

    enum Kind: String, Codable, Sendable, CaseIterable {
        case applicationForm = "application_form"
        case consentStatement = "consent_statement"
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GroupApplicationRecord
    @Enum(key: "kind") var kind: Kind
    /// As detected from the content (UploadInspection), never as the browser said.
    @Field(key: "media_type") var mediaType: String
    @Field(key: "file_extension") var fileExtension: String
    @Field(key: "byte_count") var byteCount: Int
    @Field(key: "uploaded_at") var uploadedAt: Date

    init() {}

    init(id: UUID, applicationID: UUID, kind: Kind, mediaType: String, fileExtension: String, byteCount: Int, uploadedAt: Date) {
        self.id = id
        self.$application.id = applicationID
        self.kind = kind
        self.mediaType = mediaType
        self.fileExtension = fileExtension
        self.byteCount = byteCount
        self.uploadedAt = uploadedAt
    }

    /// The vault context: a sealed file only opens as the document it was stored as.
    var sealContext: String { "group.document:\(id?.uuidString ?? "")" }
}
