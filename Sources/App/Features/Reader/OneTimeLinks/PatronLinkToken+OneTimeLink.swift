import Fluent
import Foundation

/// A reader's links (reset, card activation) are used up by stamping `used_at`, so the row stays as a record.
extension PatronLinkToken: OneTimeLinkRecord {
    static var tokenHashColumn: FieldKey { "token_hash" }
    static var consumption: OneTimeLinkConsumption { .stampsUsedAt("used_at") }
    var linkTokenHash: String? { tokenHash }
    var linkExpiresAt: Date? { expiresAt }
}
