import Fluent
import Foundation

/// Expired authorization codes and tokens, deleted by the hourly housekeeping (`OutboxWorkerLifecycle`), so
/// the tables hold what can still be used and no more (every issuance stays in the audit trail).
///
/// A token goes once it has expired: a spent refresh token presented after that is refused as unknown,
/// as an expired one is. A code is kept for an access token's lifetime after it expired, so a replay of a
/// used code still revokes what it issued for as long as that can be used.
enum OIDCHousekeeping {
    static let codeKeptAfterExpiry: TimeInterval = OIDCGrants.accessTokenLifetime

    static func deleteExpired(now: Date, on database: any Database) async throws {
        try await OIDCToken.query(on: database).filter(\.$expiresAt <= now).delete()
        try await OIDCAuthorizationCode.query(on: database).filter(\.$expiresAt <= now.addingTimeInterval(-codeKeptAfterExpiry)).delete()
    }
}
