import Fluent
import Foundation

/// A library employee who works in the back office; always bound to one library.
final class StaffMember: Model, @unchecked Sendable {
    static let schema = "staff_members"

    enum Role: String, Codable, Sendable, CaseIterable {
        case desk
        case reviewer
        case admin
        /// Registers the consortium's OpenID Connect clients (e-resource platforms); no library's desk work.
        case consortiumAdmin = "consortium_admin"
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "library_id") var library: Library
    /// Lower-cased; unique across the consortium.
    @Field(key: "email") var email: String
    @Enum(key: "role") var role: Role
    /// bcrypt; nil until the person has used their password-setting link.
    @OptionalField(key: "password_hash") var passwordHash: String?
    /// SHA-256 of the one-time password-setting token; the token itself is only ever in the link.
    @OptionalField(key: "password_token_hash") var passwordTokenHash: String?
    @OptionalField(key: "password_token_expires_at") var passwordTokenExpiresAt: Date?
    @OptionalField(key: "last_sign_in_at") var lastSignInAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(id: UUID? = nil, libraryID: UUID, email: String, role: Role) {
        self.id = id
        self.$library.id = libraryID
        self.email = email
        self.role = role
    }
}
