import Fluent
import Foundation

/// A kiosk, app or partner system that calls `/api/v1` with a bearer token (stored only as its hash).
final class APIClient: Model, @unchecked Sendable {
    static let schema = "api_clients"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Parent(key: "library_id") var library: Library
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}

    init(name: String, libraryID: UUID, tokenHash: String, createdAt: Date) {
        self.name = name
        self.$library.id = libraryID
        self.tokenHash = tokenHash
        self.createdAt = createdAt
    }
}
