import Fluent
import Foundation

/// A one-time sign-in link for an organization's contact person: only the token's SHA-256 is stored,
/// and it is bound to the contact of its time (`contactGeneration`).
final class GroupContactToken: Model, @unchecked Sendable {
    static let schema = "group_contact_tokens"

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GroupApplicationRecord
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "contact_generation") var contactGeneration: Int
    /// Where the link leads after sign-in (a path of the contact's pages), e.g. a finished batch.
    @OptionalField(key: "next_path") var nextPath: String?
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?

    init() {}

    init(applicationID: UUID, tokenHash: String, contactGeneration: Int, nextPath: String?, expiresAt: Date) {
        self.$application.id = applicationID
        self.tokenHash = tokenHash
        self.contactGeneration = contactGeneration
        self.nextPath = nextPath
        self.expiresAt = expiresAt
    }
}
