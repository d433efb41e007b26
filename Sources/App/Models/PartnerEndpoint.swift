import Fluent
import Foundation

/// Where a partner library's system wants to hear about its linked readers: a webhook URL and the
/// shared secret that signs every delivery (sealed at rest; only the delivery ever opens it).
final class PartnerEndpoint: Model, @unchecked Sendable {
    static let schema = "partner_endpoints"

    @ID(key: .id) var id: UUID?
    /// The partner library that receives the events; one endpoint per library.
    @Parent(key: "library_id") var library: Library
    @Field(key: "url") var url: String
    /// Vault envelope of the signing secret.
    @Field(key: "secret_sealed") var secretSealed: String
    @Field(key: "enabled") var enabled: Bool
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    init(libraryID: UUID, url: String, secretSealed: String, now: Date) {
        self.$library.id = libraryID
        self.url = url
        self.secretSealed = secretSealed
        self.enabled = true
        self.createdAt = now
        self.updatedAt = now
    }
}
