import Fluent
import Foundation

extension PasswordResetToken: OneTimeLinkRecord {
    static var tokenHashColumn: FieldKey { "token_hash" }
    static var consumption: OneTimeLinkConsumption { .stampsUsedAt("used_at") }
    var linkTokenHash: String? { tokenHash }
    var linkExpiresAt: Date? { expiresAt }
}
