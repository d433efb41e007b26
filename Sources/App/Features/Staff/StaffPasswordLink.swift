import Fluent
import Foundation

/// The staff invitation (and any later password link) lives on the staff row itself: redeeming it
/// clears the hash and its expiry.
extension StaffMember: OneTimeLinkRecord {
    static var tokenHashColumn: FieldKey { "password_token_hash" }
    static var consumption: OneTimeLinkConsumption { .clearsHash(alsoClearing: ["password_token_expires_at"]) }
    var linkTokenHash: String? { passwordTokenHash }
    var linkExpiresAt: Date? { passwordTokenExpiresAt }
}
