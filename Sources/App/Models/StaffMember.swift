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

        /// Roles that see ID images and every personal field (reviewers, administrators) sign in with a
        /// second factor (TOTP) after their password (issue #14 item 6).
        var requiresSecondFactor: Bool { self != .desk }
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
    /// Set when an administrator disabled the account: it cannot sign in and its sessions ended then.
    @OptionalField(key: "disabled_at") var disabledAt: Date?
    /// The TOTP secret, sealed with the vault (`StaffSecondFactor.sealContext`); present from the enrolment page on.
    @OptionalField(key: "totp_secret_sealed") var totpSecretSealed: String?
    /// When the first code confirmed the secret; until then the secret is only being enrolled.
    @OptionalField(key: "totp_confirmed_at") var totpConfirmedAt: Date?
    /// The last TOTP step whose code was accepted: a code of that step or an earlier one is refused (no replay).
    @OptionalField(key: "totp_last_step") var totpLastStep: Int64?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(id: UUID? = nil, libraryID: UUID, email: String, role: Role) {
        self.id = id
        self.$library.id = libraryID
        self.email = email
        self.role = role
    }
}
