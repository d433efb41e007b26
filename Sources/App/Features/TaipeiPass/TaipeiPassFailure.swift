import Fluent
import Foundation
import Vapor

/// What went wrong on the way to or back from 台北通, as the reader is told it. The raw value travels in
/// the `taipei_pass` query parameter of the page that shows the message (`taipei_pass.error.<code>`).
enum TaipeiPassFailure: String, Error, CaseIterable, Sendable {
    /// The reader pressed cancel/deny at the provider (`error=access_denied`).
    case cancelled
    /// The provider answered with another OAuth error.
    case providerError = "provider_error"
    /// No request of this session matches the callback: wrong or reused `state`, too old, or another reader now.
    case expiredRequest = "expired_request"
    /// The provider could not be asked (discovery) when starting.
    case unavailable
    /// The code could not be exchanged at the token endpoint (reused code, PKCE mismatch, provider down).
    case tokenFailed = "token_failed"
    /// The ID token failed validation (signature, issuer, audience, time, nonce).
    case invalidToken = "invalid_token"
    /// This Taipei Pass account is already linked with another card.
    case linkedElsewhere = "linked_elsewhere"
    /// Sign-in with a Taipei Pass account that no card is linked with.
    case notLinked = "not_linked"

    var messageKey: String { "taipei_pass.error.\(rawValue)" }
}
