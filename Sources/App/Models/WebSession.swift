import Fluent
import Foundation
import Vapor

/// A browser session. Only the SHA-256 of the cookie's value is stored, so whoever reads this table
/// cannot take a session over; a session ends `WebSessions.lifetime` after its last request.
final class WebSession: Model, @unchecked Sendable {
    static let schema = "web_sessions"

    @ID(key: .id) var id: UUID?
    @Field(key: "key_hash") var keyHash: String
    @Field(key: "data") var data: SessionData
    @Field(key: "expires_at") var expiresAt: Date
    /// Whom the session signs in, kept from `data` by `WebSessions`, so a password change finds the
    /// person's other sessions.
    @OptionalField(key: "patron_id") var patronID: UUID?
    @OptionalField(key: "staff_id") var staffID: UUID?

    init() {}

    init(keyHash: String, data: SessionData, expiresAt: Date, patronID: UUID? = nil, staffID: UUID? = nil) {
        self.keyHash = keyHash
        self.data = data
        self.expiresAt = expiresAt
        self.patronID = patronID
        self.staffID = staffID
    }
}
